package matrix

import (
	"strconv"

	"github.com/accord-cdc/accord/broker/rackquery"
)

// ParseQuery reads the query string of GET /matrix (q[], ignore[], latestby, latest, tag,
// environment, mainBranch, success[], limit) the way the Ruby broker does, with the selector
// grouping of rackquery.Selectors. Malformed input is a *ValidationError.
func ParseQuery(rawQuery string) (Query, error) {
	params, err := rackquery.Parse(rawQuery)
	if err != nil {
		return Query{}, &ValidationError{Problems: []string{err.Error()}}
	}
	var q Query
	qs, err := rackquery.Selectors(params, "q")
	if err != nil {
		return Query{}, &ValidationError{Problems: []string{err.Error()}}
	}
	for _, r := range qs {
		q.Selectors = append(q.Selectors, Selector{
			Pacticipant: r.GetString("pacticipant"),
			Version:     r.GetString("version"),
			Latest:      r.GetString("latest") == "true",
			Branch:      r.GetString("branch"),
			Tag:         r.GetString("tag"),
			Environment: r.GetString("environment"),
			MainBranch:  r.GetString("mainBranch") == "true",
		})
	}
	if params.Get("ignore").Kind() == rackquery.Array {
		igs, err := rackquery.Selectors(params, "ignore")
		if err != nil {
			return Query{}, &ValidationError{Problems: []string{err.Error()}}
		}
		for _, r := range igs {
			q.Ignore = append(q.Ignore, Ignore{Pacticipant: r.GetString("pacticipant"), Version: r.GetString("version")})
		}
	}
	switch s := params.Get("success"); s.Kind() {
	case rackquery.Array:
		q.Success = []Status{}
		for _, it := range s.Items() {
			v, _ := it.Str()
			q.Success = append(q.Success, successStatus(v))
		}
	case rackquery.String:
		v, _ := s.Str()
		q.Success = []Status{successStatus(v)}
	}
	q.LatestBy = LatestBy(params.GetString("latestby"))
	if l := params.GetString("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return Query{}, &ValidationError{Problems: []string{"limit must be a number of at least 1 (got " + strconv.Quote(l) + ")"}}
		}
		q.Limit = n
	}
	q.Latest = params.GetString("latest") == "true"
	q.Tag = params.GetString("tag")
	q.Environment = params.GetString("environment")
	q.MainBranch = params.GetString("mainBranch") == "true"
	return q, nil
}

func successStatus(v string) Status {
	switch v {
	case "":
		return Unverified
	case "true":
		return Succeeded
	}
	return Failed
}

// ParseCanIDeploy reads the query string of GET /can-i-deploy: pacticipant, version, exactly one
// of environment and to (a tag), and ignore given as ignore[]=NAME or
// ignore[][pacticipant]=NAME&ignore[][version]=V (a single ignore=NAME is accepted too). To an
// environment it checks every provider version there (cvpv); to a tag, the latest tagged one (cvp).
func ParseCanIDeploy(rawQuery string) (Query, error) {
	params, err := rackquery.Parse(rawQuery)
	if err != nil {
		return Query{}, &ValidationError{Problems: []string{err.Error()}}
	}
	var problems []string
	app, version := params.GetString("pacticipant"), params.GetString("version")
	if app == "" {
		problems = append(problems, "pacticipant is required: the name of the application to deploy")
	}
	if version == "" {
		problems = append(problems, "version is required: the version number of the application to deploy")
	}
	to, env := params.GetString("to"), params.GetString("environment")
	switch {
	case to != "" && env != "":
		problems = append(problems, "give either environment or to (a tag), not both")
	case to == "" && env == "":
		problems = append(problems, "give the environment to deploy to (environment=NAME), or a tag (to=TAG)")
	}
	if problems != nil {
		return Query{}, &ValidationError{Problems: problems}
	}
	q := Query{Selectors: []Selector{{Pacticipant: app, Version: version}}}
	if env != "" {
		q.Environment, q.LatestBy = env, ByConsumerVersionAndProviderVersion
	} else {
		q.Tag, q.Latest, q.LatestBy = to, true, ByConsumerVersionAndProvider
	}
	ig := params.Get("ignore")
	switch ig.Kind() {
	case rackquery.String:
		s, _ := ig.Str()
		q.Ignore = []Ignore{{Pacticipant: s}}
	case rackquery.Array:
		for _, it := range ig.Items() {
			switch it.Kind() {
			case rackquery.String:
				s, _ := it.Str()
				q.Ignore = append(q.Ignore, Ignore{Pacticipant: s})
			case rackquery.Hash:
				if it.Has("pacticipant") {
					q.Ignore = append(q.Ignore, Ignore{Pacticipant: it.GetString("pacticipant"), Version: it.GetString("version")})
				}
			}
		}
	}
	return q, nil
}

// LatestTaggedToTag is the question of /pacticipants/{app}/latest-version/{tag}/can-i-deploy/to/{to}:
// can the latest version of app tagged tag go where the latest versions tagged to are?
func LatestTaggedToTag(app, tag, to string) Query {
	return Query{Selectors: []Selector{{Pacticipant: app, Latest: true, Tag: tag}}, Tag: to, Latest: true,
		LatestBy: ByConsumerVersionAndProvider}
}

// LatestOnBranchToEnvironment is the question of
// /pacticipants/{app}/branches/{branch}/latest-version/can-i-deploy/to-environment/{env}.
func LatestOnBranchToEnvironment(app, branch, env string) Query {
	return Query{Selectors: []Selector{{Pacticipant: app, Latest: true, Branch: branch}}, Environment: env,
		LatestBy: ByConsumerVersionAndProviderVersion}
}

// CanIMerge is the question of can-i-merge for one version: does it work with the latest version
// of every integrated application on its main branch?
func CanIMerge(app, version string) Query {
	return Query{Selectors: []Selector{{Pacticipant: app, Version: version}}, MainBranch: true, Latest: true,
		LatestBy: ByConsumerVersionAndProvider}
}

// ForIntegration is the question of /matrix/provider/{provider}/consumer/{consumer}: every version of
// both, with the options (latestby, success, limit, ...) of rawQuery.
func ForIntegration(consumer, provider, rawQuery string) (Query, error) {
	q, err := ParseQuery(rawQuery)
	if err != nil {
		return Query{}, err
	}
	q.Selectors = []Selector{{Pacticipant: consumer}, {Pacticipant: provider}}
	return q, nil
}
