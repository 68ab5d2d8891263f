package verifiable

import (
	"fmt"
	"strings"
	"time"

	"github.com/accord-cdc/accord/broker"
)

// ConsumerVersionSelector says which consumer versions' pacts a provider
// should verify. Field names follow the Pact Broker's JSON.
type ConsumerVersionSelector struct {
	MainBranch         bool   `json:"mainBranch,omitempty"`
	Branch             string `json:"branch,omitempty"`
	FallbackBranch     string `json:"fallbackBranch,omitempty"`
	MatchingBranch     bool   `json:"matchingBranch,omitempty"`
	Tag                string `json:"tag,omitempty"`
	FallbackTag        string `json:"fallbackTag,omitempty"`
	Latest             *bool  `json:"latest,omitempty"`
	Consumer           string `json:"consumer,omitempty"`
	Deployed           bool   `json:"deployed,omitempty"`
	Released           bool   `json:"released,omitempty"`
	DeployedOrReleased bool   `json:"deployedOrReleased,omitempty"`
	Environment        string `json:"environment,omitempty"`
}

// IsLatest reports whether the selector picks only the latest version.
// Branch selectors are always "latest"; tags only when latest is true.
func (s ConsumerVersionSelector) IsLatest() bool {
	if s.MainBranch || s.Branch != "" || s.MatchingBranch {
		return true
	}
	return s.Latest != nil && *s.Latest
}

// Kind names the selector kind, for descriptions and dispatch.
func (s ConsumerVersionSelector) Kind() SelectorKind {
	switch {
	case s.MainBranch:
		return KindMainBranch
	case s.MatchingBranch:
		return KindMatchingBranch
	case s.Branch != "":
		return KindBranch
	case s.Tag != "" && s.IsLatest():
		return KindLatestTag
	case s.Tag != "":
		return KindAllTag
	case s.Deployed:
		return KindDeployed
	case s.Released:
		return KindReleased
	case s.DeployedOrReleased:
		return KindDeployedOrReleased
	case s.Environment != "":
		return KindEnvironment
	case s.IsLatest():
		return KindLatest
	}
	return ""
}

// SelectorKind is the kind of a consumer version selector.
type SelectorKind string

// Selector kinds.
const (
	KindMainBranch         SelectorKind = "mainBranch"
	KindMatchingBranch     SelectorKind = "matchingBranch"
	KindBranch             SelectorKind = "branch"
	KindLatestTag          SelectorKind = "latestTag"
	KindAllTag             SelectorKind = "allTag"
	KindDeployed           SelectorKind = "deployed"
	KindReleased           SelectorKind = "released"
	KindDeployedOrReleased SelectorKind = "deployedOrReleased"
	KindEnvironment        SelectorKind = "environment"
	KindLatest             SelectorKind = "latest"
)

// Query is the body of POST /pacts/provider/{p}/for-verification.
type Query struct {
	Selectors      []ConsumerVersionSelector
	ProviderBranch string
	ProviderTags   []string
	IncludePending bool
	// WIPSince enables work-in-progress pacts published after this time.
	WIPSince *time.Time
}

// Validate checks the query the way the Pact Broker does and returns an
// Invalid error naming the selector at fault.
func (q Query) Validate() error {
	for i, s := range q.Selectors {
		if err := s.validate(q.ProviderBranch); err != nil {
			return broker.FieldErrorf("consumerVersionSelectors", "%s (at index %d)", err, i)
		}
	}
	return nil
}

func (s ConsumerVersionSelector) validate(providerBranch string) error {
	var branchish, envish []string
	add := func(list *[]string, on bool, name string) {
		if on {
			*list = append(*list, name)
		}
	}
	add(&branchish, s.Latest != nil, "latest")
	add(&branchish, s.Tag != "", "tag")
	add(&branchish, s.FallbackTag != "", "fallbackTag")
	add(&branchish, s.Branch != "", "branch")
	add(&branchish, s.FallbackBranch != "", "fallbackBranch")
	add(&branchish, s.MatchingBranch, "matchingBranch")
	add(&branchish, s.MainBranch, "mainBranch")
	add(&envish, s.Environment != "", "environment")
	add(&envish, s.Deployed, "deployed")
	add(&envish, s.Released, "released")
	add(&envish, s.DeployedOrReleased, "deployedOrReleased")

	switch {
	case len(branchish) == 0 && len(envish) == 0:
		return fmt.Errorf("must specify a value for environment or tag or branch, or specify mainBranch=true, matchingBranch=true, latest=true, deployed=true, released=true or deployedOrReleased=true")
	case len(branchish) > 0 && len(envish) > 0:
		return fmt.Errorf("cannot specify the field(s) %s with the field(s) %s", strings.Join(branchish, "/"), strings.Join(envish, "/"))
	case s.Tag != "" && (s.Branch != "" || s.MainBranch || s.MatchingBranch):
		return fmt.Errorf("cannot specify both a tag and a branch")
	case s.MainBranch && (len(branchish) > 1):
		return fmt.Errorf("the mainBranch selector can only be combined with consumer; remove %s", strings.Join(branchish[:len(branchish)-1], "/"))
	case s.MatchingBranch && len(branchish) > 1:
		return fmt.Errorf("the matchingBranch selector can only be combined with consumer")
	case s.MatchingBranch && providerBranch == "":
		return fmt.Errorf("the providerVersionBranch must be specified when matchingBranch=true is used, so the broker knows which consumer branch to match")
	case s.Branch != "" && s.Latest != nil && !*s.Latest:
		return fmt.Errorf("cannot specify a branch with latest=false; branch selectors always select the latest version of the branch")
	case s.FallbackBranch != "" && s.Branch == "":
		return fmt.Errorf("fallbackBranch can only be set with branch")
	case s.FallbackTag != "" && (s.Tag == "" || !s.IsLatest()):
		return fmt.Errorf("fallbackTag can only be set if tag is set and latest is true")
	case s.Deployed && s.Released, s.DeployedOrReleased && (s.Deployed || s.Released):
		return fmt.Errorf("cannot specify more than one of deployed, released and deployedOrReleased")
	}
	return nil
}

// Expand splits deployedOrReleased into a deployed and a released selector,
// as the Pact Broker does before resolving.
func Expand(sels []ConsumerVersionSelector) []ConsumerVersionSelector {
	out := make([]ConsumerVersionSelector, 0, len(sels))
	for _, s := range sels {
		if s.DeployedOrReleased {
			d, r := s, s
			d.DeployedOrReleased, d.Deployed = false, true
			r.DeployedOrReleased, r.Released = false, true
			out = append(out, d, r)
			continue
		}
		out = append(out, s)
	}
	return out
}

// ConsumerMainline describes what a consumer offers for default selection.
type ConsumerMainline struct {
	Consumer   string
	MainBranch string
	// HasMainBranchVersions: the main branch exists and has versions.
	HasMainBranchVersions bool
	// HasMainBranchTag: some version is tagged with the main branch name.
	HasMainBranchTag bool
}

// DefaultSelectors are used when a verification query has no selectors: per
// consumer its main branch (or the tag named like it, or its latest
// version), plus everything deployed or released.
func DefaultSelectors(consumers []ConsumerMainline) []ConsumerVersionSelector {
	t := true
	var out []ConsumerVersionSelector
	for _, c := range consumers {
		switch {
		case c.MainBranch != "" && c.HasMainBranchVersions:
			out = append(out, ConsumerVersionSelector{MainBranch: true, Consumer: c.Consumer})
		case c.MainBranch != "" && c.HasMainBranchTag:
			out = append(out, ConsumerVersionSelector{Tag: c.MainBranch, Latest: &t, Consumer: c.Consumer})
		default:
			out = append(out, ConsumerVersionSelector{Latest: &t, Consumer: c.Consumer})
		}
	}
	return append(out, ConsumerVersionSelector{Deployed: true}, ConsumerVersionSelector{Released: true})
}
