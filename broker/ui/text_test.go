package ui_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPagesRefuseTextTheDatabaseCannotStore: a NUL or bytes that are not
// UTF-8 in a page's address or query are a bad request the page explains
// (PostgreSQL cannot even look such a name up: its queries fail).
func TestPagesRefuseTextTheDatabaseCannotStore(t *testing.T) {
	srv := seededServer(t)
	for _, path := range []string{
		"/pacticipants/us%00ers",
		"/pacticipants/us%FFers",
		"/pacts/provider/users/consumer/web%00/latest",
		"/?search=we%00b",
		"/matrix?q[][pacticipant]=web%00&q[][version]=1",
		"/pacts/provider/users/consumer/web%00/latest/badge",
	} {
		doc := page(t, srv, path, http.StatusBadRequest)
		if msg := strings.Join(strings.Fields(doc.Find("main").Text()), " "); !strings.Contains(msg, "NUL") && !strings.Contains(msg, "UTF-8") {
			t.Errorf("GET %s: the page does not say what is wrong: %q", path, msg)
		}
	}
	page(t, srv, "/pacticipants/users", http.StatusOK)
}
