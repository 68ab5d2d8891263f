package webhook

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"github.com/accord-cdc/accord/broker"
)

var uuidPattern = regexp.MustCompile(`^[A-Za-z0-9_\-]{16,}$`)

// ValidUUID reports whether uuid may name a webhook (16 or more letters,
// digits, "-" or "_").
func ValidUUID(uuid string) bool { return uuidPattern.MatchString(uuid) }

var methodPattern = regexp.MustCompile(`^[A-Za-z]+$`)

// Validate checks a webhook before it is saved or run: events, the
// pacticipant scopes and the request against the allow-lists. Errors are
// Invalid *broker.Error values naming the field.
func (c Config) Validate(w broker.Webhook) error {
	for _, e := range w.Events {
		if !broker.IsWebhookEvent(e) {
			return broker.FieldErrorf("events", "%q is not a webhook event; use %s", e, strings.Join(broker.WebhookEvents, ", "))
		}
	}
	for _, s := range []struct {
		field string
		p     *broker.WebhookPacticipant
	}{{"consumer", w.Consumer}, {"provider", w.Provider}} {
		if s.p == nil {
			continue
		}
		if s.p.Name == "" && s.p.Label == "" {
			return broker.FieldErrorf(s.field, "give the %s a name or a label, or leave %s out to match any", s.field, s.field)
		}
		if s.p.Name != "" && s.p.Label != "" {
			return broker.FieldErrorf(s.field+".label", "give the %s either a name or a label, not both", s.field)
		}
	}
	if len(w.Request.Body) > 0 && !json.Valid(w.Request.Body) {
		return broker.FieldErrorf("request.body", "the body is not valid JSON; send a JSON object or a string")
	}
	return c.CheckRequest(w.Request.Method, w.Request.URL)
}

// CheckRequest enforces the allow-lists on a method and a URL template.
// It runs when a webhook is saved and again before every send.
func (c Config) CheckRequest(method, rawURL string) error {
	c = c.WithDefaults()
	switch {
	case method == "":
		return broker.FieldErrorf("request.method", "the webhook request needs a method, for example POST")
	case !methodPattern.MatchString(method):
		return broker.FieldErrorf("request.method", "%q is not an HTTP method", method)
	case !containsFold(c.Methods, method):
		return broker.FieldErrorf("request.method", "%s is not allowed; the broker allows %s (PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST)", strings.ToUpper(method), strings.Join(c.Methods, ", "))
	}
	if rawURL == "" {
		return broker.FieldErrorf("request.url", "the webhook request needs a URL")
	}
	u, err := url.Parse(Placeholder(rawURL, "placeholder"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return broker.FieldErrorf("request.url", "%q is not an absolute URL; give scheme and host, like https://ci.example/build", rawURL)
	}
	if other, err := url.Parse(Placeholder(rawURL, "differentplaceholder")); err != nil || other.Host != u.Host {
		return broker.FieldErrorf("request.url", "the host of a webhook URL cannot contain template parameters; write the host literally")
	}
	if !containsFold(c.Schemes, u.Scheme) {
		return broker.FieldErrorf("request.url", "the scheme %s is not allowed; the broker allows %s (PACT_BROKER_WEBHOOK_SCHEME_WHITELIST)", u.Scheme, strings.Join(c.Schemes, ", "))
	}
	if len(c.Hosts) > 0 && !HostAllowed(u.Hostname(), c.Hosts) {
		return broker.FieldErrorf("request.url", "the host %s is not in the allow-list %s (PACT_BROKER_WEBHOOK_HOST_WHITELIST); use an allowed host or ask the broker's operator to add it", u.Hostname(), strings.Join(c.Hosts, ", "))
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// HostAllowed reports whether host matches one of the allow-list entries:
// an exact host name, a "*.domain" wildcard (one label), an IP address, a
// CIDR range, or a /regular expression/.
func HostAllowed(host string, allow []string) bool {
	host = strings.Trim(host, "[]")
	ip, ipErr := netip.ParseAddr(host)
	for _, e := range allow {
		switch {
		case len(e) > 1 && strings.HasPrefix(e, "/") && strings.HasSuffix(e, "/"):
			if re, err := regexp.Compile(e[1 : len(e)-1]); err == nil && re.MatchString(host) {
				return true
			}
		case ipErr == nil:
			if p, err := netip.ParsePrefix(e); err == nil && p.Contains(ip.Unmap()) {
				return true
			}
			if a, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil && a.Unmap() == ip.Unmap() {
				return true
			}
		case strings.HasPrefix(e, "*."):
			suffix := strings.ToLower(e[1:])
			h := strings.ToLower(host)
			if strings.HasSuffix(h, suffix) && len(h) > len(suffix) && !strings.Contains(h[:len(h)-len(suffix)], ".") {
				return true
			}
		default:
			if strings.EqualFold(e, host) {
				return true
			}
		}
	}
	return false
}

func checkHostEntry(e string) error {
	if len(e) > 1 && strings.HasPrefix(e, "/") && strings.HasSuffix(e, "/") {
		if _, err := regexp.Compile(e[1 : len(e)-1]); err != nil {
			return fmt.Errorf("%q is not a valid regular expression: %v", e, err)
		}
	}
	if strings.Contains(e, "/") && !strings.HasPrefix(e, "/") {
		if _, err := netip.ParsePrefix(e); err != nil {
			return fmt.Errorf("%q is not a valid CIDR range: %v", e, err)
		}
	}
	return nil
}
