package rackquery_test

import (
	"fmt"

	"github.com/accord-cdc/accord/broker/rackquery"
)

func ExampleParse() {
	params, err := rackquery.Parse("q[][pacticipant]=Foo&q[][version]=1.2.3&q[][pacticipant]=Bar&q[][latest]=true&latestby=cvpv")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(params)
	fmt.Println(params.Get("q").Index(1).GetString("pacticipant"))
	// Output:
	// {"q"=>[{"pacticipant"=>"Foo", "version"=>"1.2.3"}, {"pacticipant"=>"Bar", "latest"=>"true"}], "latestby"=>"cvpv"}
	// Bar
}

func ExampleBuild() {
	h := rackquery.NewHash().Set("q", rackquery.NewArray(
		rackquery.NewHash().SetString("pacticipant", "Foo Thing").SetString("version", "1.2.3"),
	))
	qs, _ := rackquery.Build(h)
	fmt.Println(qs)
	// Output: q%5B%5D%5Bpacticipant%5D=Foo+Thing&q%5B%5D%5Bversion%5D=1.2.3
}

// Selectors recovers what a Pact verifier meant when it replays a /matrix query with its
// parameters sorted by key.
func ExampleSelectors() {
	params, _ := rackquery.Parse("latestby=cvpv&q[][latest]=true&q[][pacticipant]=Foo&q[][pacticipant]=Bar&q[][tag]=prod&q[][version]=1.2.3")
	fmt.Println(params.Get("q")) // what Rack makes of it
	sels, _ := rackquery.Selectors(params, "q")
	for _, s := range sels {
		fmt.Println(s)
	}
	// Output:
	// [{"latest"=>"true", "pacticipant"=>"Foo"}, {"pacticipant"=>"Bar", "tag"=>"prod", "version"=>"1.2.3"}]
	// {"pacticipant"=>"Foo", "version"=>"1.2.3"}
	// {"pacticipant"=>"Bar", "latest"=>"true", "tag"=>"prod"}
}

func ExampleEncodeMetadata() {
	seg, _ := rackquery.EncodeMetadata(rackquery.NewHash().SetString("cvn", "2"))
	fmt.Println(seg)
	back, _ := rackquery.DecodeMetadata(seg)
	fmt.Println(back.GetString("cvn"))
	// Output:
	// Y3ZuPTI
	// 2
}
