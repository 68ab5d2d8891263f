package fieldusage

import (
	"reflect"
	"testing"
)

func TestConsumerFields(t *testing.T) {
	routes, err := ParseRoutes([]string{"GET /users/{id}", "DELETE /users/{id}"})
	if err != nil {
		t.Fatal(err)
	}
	mobile := ConsumerUse{Name: "Mobile", Versions: []string{"2.0"}, Environments: []string{}, Branches: []string{"main"}}
	webProd := ConsumerUse{Name: "Web Shop", Versions: []string{"1.0.0"}, Environments: []string{"production"}, Branches: []string{}}
	tests := []struct {
		name     string
		consumer string
		own      string
		want     []OwnEndpoint
	}{
		{
			name: "Web Shop's name is read by nobody else; its id by Mobile", consumer: "Web Shop", own: webShopPact,
			want: []OwnEndpoint{{Method: "GET", Path: "/users/{id}", Fields: []OwnField{
				{Location: "response.body.$.id", Others: []ConsumerUse{mobile}},
				{Location: "response.body.$.name", Others: []ConsumerUse{}},
			}}},
		},
		{
			name: "Mobile's delete and Accept header are its own; the id is shared with Web Shop in production", consumer: "Mobile", own: mobilePact,
			want: []OwnEndpoint{
				{Method: "DELETE", Path: "/users/{id}", Fields: []OwnField{}},
				{Method: "GET", Path: "/users/{id}", Fields: []OwnField{
					{Location: "request.headers.Accept", Others: []ConsumerUse{}},
					{Location: "response.body.$.id", Others: []ConsumerUse{{Name: "Web Shop", Versions: []string{"1.0.0", "1.1.0"}, Environments: []string{"production"}, Branches: []string{"main"}}}},
				}},
			},
		},
		{
			name: "a field around another consumer's is shared with it", consumer: "New",
			own: `{"interactions":[{"description":"d","request":{"method":"GET","path":"/users/1"},"response":{"status":200,"body":{"name":{"first":"A"}}}}]}`,
			want: []OwnEndpoint{{Method: "GET", Path: "/users/{id}", Fields: []OwnField{
				{Location: "response.body.$.name.first", Others: []ConsumerUse{webProd}},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ConsumerFields(tt.consumer, mustIndex(t, tt.own), twoConsumers(t), Options{Routes: routes})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ConsumerFields(%s) =\n%+v\nwant\n%+v", tt.consumer, got, tt.want)
			}
		})
	}
}
