package contracts

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDetectBuildPrefersExplicitThenCIVariables(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		env                  map[string]string
		version, branch, url string
		ci                   bool
	}{
		{"generic", map[string]string{"GIT_COMMIT": "abc123", "GIT_BRANCH": "origin/main", "BUILD_URL": "http://ci/1"}, "abc123", "main", "http://ci/1", false},
		{"github pull request", map[string]string{"GITHUB_SHA": "def456", "GITHUB_HEAD_REF": "feat/x", "GITHUB_REF_NAME": "12/merge",
			"GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "99", "CI": "true"},
			"def456", "feat/x", "https://github.example/acme/shop/actions/runs/99", true},
		{"gitlab", map[string]string{"CI_COMMIT_SHA": "0a0a", "CI_COMMIT_REF_NAME": "release", "CI_JOB_URL": "http://gitlab/job/7", "CI": "true"}, "0a0a", "release", "http://gitlab/job/7", true},
		{"explicit wins", map[string]string{"ACCORD_VERSION": "1.2.3", "ACCORD_BRANCH": "demo", "GIT_COMMIT": "abc"}, "1.2.3", "demo", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"ACCORD_VERSION", "ACCORD_BRANCH", "GIT_COMMIT", "GIT_BRANCH", "GITHUB_SHA", "GITHUB_HEAD_REF",
				"GITHUB_REF_NAME", "CI_COMMIT_SHA", "CI_COMMIT_REF_NAME", "BUILD_URL", "CI_JOB_URL", "GITHUB_RUN_ID", "CI"} {
				t.Setenv(k, "")
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			b, err := DetectBuild()
			require.NoError(t, err)
			assert.Equal(t, Build{Version: tc.version, Branch: tc.branch, URL: tc.url, CI: tc.ci}, b)
		})
	}
}

func TestPactFileListsUnknownStatesAndMessages(t *testing.T) {
	pf := pactFile{Interactions: []pactInteraction{
		{Description: "get user", ProviderStates: []struct {
			Name string `json:"name"`
		}{{Name: "user 1 exists"}, {Name: "user is admin"}}},
		{Description: "v2 style", ProviderState: "nobody"},
		{Description: "event", Type: "Asynchronous/Messages"},
	}}
	known := map[string]State{"user 1 exists": {}}
	assert.Equal(t, []string{`"user is admin" (in "get user")`, `"nobody" (in "v2 style")`}, pf.unknownStates(known))
	assert.True(t, pf.Interactions[2].isMessage())
	assert.Equal(t, "get user (given user 1 exists, user is admin)", pf.Interactions[0].label())
}

func TestParseDate(t *testing.T) {
	d, err := parseDate("2024-03-01")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), d)
	_, err = parseDate("yesterday")
	assert.ErrorContains(t, err, "not a date")
}

func TestUnhandledStateOrMessageFailsWithWhatIsKnown(t *testing.T) {
	pf := pactFile{Interactions: []pactInteraction{{Description: "get user", ProviderState: "user 9 is banned"}}}
	pf.Consumer.Name = "gateway"
	p := Provider{Name: "users"}
	err := checkHandled(p, map[string]State{"user 1 exists": {}}, pf)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"user 9 is banned" (in "get user")`)
	assert.Contains(t, err.Error(), `Known states: "user 1 exists"`)

	pf = pactFile{Interactions: []pactInteraction{{Description: "an OrderPlaced event", Type: "Asynchronous/Messages"}}}
	err = checkHandled(p, nil, pf)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `expects the message "an OrderPlaced event"`)
	assert.Contains(t, err.Error(), "Known messages: none")
}

func TestUnknownStatesAreListedOnce(t *testing.T) {
	in := func(desc string) pactInteraction {
		return pactInteraction{Description: desc, ProviderState: "user 9 is banned"}
	}
	pf := pactFile{Interactions: []pactInteraction{in("a"), in("b"), in("c")}}
	assert.Equal(t, []string{`"user 9 is banned" (in "a")`}, pf.unknownStates(nil))
}

func TestDropLinesKeepsEverythingElse(t *testing.T) {
	var out strings.Builder
	d := dropLines{next: &out, drop: []byte("can't set logger")}
	for _, line := range []string{"[ERROR] failed to log to stdout: can't set logger (…)\n", "[WARN] something real\n"} {
		n, err := d.Write([]byte(line))
		require.NoError(t, err)
		assert.Equal(t, len(line), n)
	}
	assert.Equal(t, "[WARN] something real\n", out.String())
}

func TestANSIStripperDropsEscapesSplitAcrossWrites(t *testing.T) {
	var out strings.Builder
	a := &ansiStripper{w: &out}
	for _, chunk := range []string{"  \x1b[31m-  \"id\": 1,\x1b", "[0m\n\x1b[3", "2m+  \"id\": 2\x1b[0m\n"} {
		n, err := a.Write([]byte(chunk))
		require.NoError(t, err)
		assert.Equal(t, len(chunk), n)
	}
	assert.Equal(t, "  -  \"id\": 1,\n+  \"id\": 2\n", out.String())
}

func TestStubRejectsAnUnknownStateListingTheKnownOnes(t *testing.T) {
	raw, err := os.ReadFile("testdata/shop-users.json")
	require.NoError(t, err)
	_, err = newStubServer(raw, []string{"user 9 exists"})
	require.Error(t, err)
	assert.Equal(t, `no interaction is given the provider state "user 9 exists"; the stub knows: "no users exist", "user 1 exists"`, err.Error())
}
