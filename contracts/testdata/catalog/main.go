// Command catalog is a tiny provider run in a container by the contracts
// tests, standing for a service in any language: it has its own
// state-change endpoint, needs an Authorization header, and keeps its
// books in a dependency (the same binary with ROLE=store) reached by host
// name on the container network.
package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {})
	if os.Getenv("ROLE") == "store" {
		var mu sync.Mutex
		items := map[string][]byte{}
		mux.HandleFunc("PUT /items/{id}", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			items[r.PathValue("id")] = b
			mu.Unlock()
		})
		mux.HandleFunc("DELETE /items/{id}", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			delete(items, r.PathValue("id"))
			mu.Unlock()
		})
		mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			b, ok := items[r.PathValue("id")]
			mu.Unlock()
			if !ok {
				http.NotFound(w, r)
				return
			}
			_, _ = w.Write(b)
		})
		log.Fatal(http.ListenAndServe(":8080", mux))
	}

	store := os.Getenv("STORE_URL")
	authed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer let-me-in" {
				http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("GET /books/{id}", authed(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		resp, err := http.Get(store + "/items/" + r.PathValue("id"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"no such book"}`))
			return
		}
		_, _ = io.Copy(w, resp.Body)
	}))
	mux.HandleFunc("POST /_pact/state", authed(func(w http.ResponseWriter, r *http.Request) {
		var call struct {
			Action string `json:"action"`
			State  string `json:"state"`
		}
		if err := json.NewDecoder(r.Body).Decode(&call); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if call.State != "book 1 exists" {
			http.Error(w, "unknown state "+call.State, http.StatusBadRequest)
			return
		}
		method, body := http.MethodPut, []byte(`{"id":1,"title":"Dune"}`)
		if call.Action == "teardown" {
			method, body = http.MethodDelete, nil
		}
		req, _ := http.NewRequest(method, store+"/items/1", bytes.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		resp.Body.Close()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	log.Fatal(http.ListenAndServe(":8080", mux))
}
