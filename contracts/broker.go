package contracts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/pact-foundation/pact-go/v2/provider"
)

// brokerJSON sends a request to the broker with auth's credentials and
// decodes the JSON answer into out.
func brokerJSON(ctx context.Context, method, u string, auth BrokerAuth, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/hal+json, application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	auth.apply(req)
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return fmt.Errorf("%s %s: %s %s", method, u, resp.Status, bytes.TrimSpace(msg))
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

var pactVersionSHA = regexp.MustCompile(`/pact-version/([0-9a-f]+)`)

// selectorFor finds the consumer version selector that makes the broker
// hand out exactly the pact at pactURL — {consumer, branch} of the version
// that published it — and reports whether that pact is pending for
// providerBranch. Webhook-triggered builds verify through it, so the pact's
// pending status applies as it does in the provider's own builds.
func selectorFor(ctx context.Context, brokerURL string, auth BrokerAuth, providerName, providerBranch, pactURL string, pf pactFile) (provider.ConsumerVersionSelector, bool, error) {
	var sel provider.ConsumerVersionSelector
	m := pactVersionSHA.FindStringSubmatch(pactURL)
	if m == nil {
		return sel, false, errors.New("the URL names no pact version (…/pact-version/SHA…)")
	}
	sha := m[1]
	if pf.Links.ConsumerVersion.Href == "" {
		return sel, false, errors.New("the pact has no pb:consumer-version link")
	}
	var version struct {
		Embedded struct {
			BranchVersions []struct {
				Name string `json:"name"`
			} `json:"branchVersions"`
		} `json:"_embedded"`
	}
	if err := brokerJSON(ctx, http.MethodGet, pf.Links.ConsumerVersion.Href, auth, nil, &version); err != nil {
		return sel, false, err
	}
	if len(version.Embedded.BranchVersions) == 0 {
		return sel, false, errors.New("the consumer version that published it is on no branch, so no selector picks exactly this pact")
	}
	for _, b := range version.Embedded.BranchVersions {
		sel = provider.ConsumerVersionSelector{Consumer: pf.Consumer.Name, Branch: b.Name}
		var found forVerificationAnswer
		q := map[string]any{
			"consumerVersionSelectors": []provider.ConsumerVersionSelector{sel},
			"includePendingStatus":     true,
			"providerVersionBranch":    providerBranch,
		}
		u := brokerURL + "/pacts/provider/" + url.PathEscape(providerName) + "/for-verification"
		if err := brokerJSON(ctx, http.MethodPost, u, auth, q, &found); err != nil {
			return sel, false, err
		}
		for _, p := range found.Embedded.Pacts {
			if m := pactVersionSHA.FindStringSubmatch(p.Links.Self.Href); m != nil && m[1] == sha {
				return sel, p.VerificationProperties.Pending, nil
			}
		}
	}
	return sel, false, errors.New("the broker no longer selects this pact for any branch of its consumer version (a newer one was published)")
}

// forVerificationAnswer is what the library reads of the broker's
// pacts-for-verification response: each pact's URL and whether it is
// pending or work in progress for the provider build that asked.
type forVerificationAnswer struct {
	Embedded struct {
		Pacts []struct {
			VerificationProperties struct {
				Pending bool `json:"pending"`
				WIP     bool `json:"wip"`
			} `json:"verificationProperties"`
			Links struct {
				Self struct {
					Href string `json:"href"`
				} `json:"self"`
			} `json:"_links"`
		} `json:"pacts"`
	} `json:"_embedded"`
}
