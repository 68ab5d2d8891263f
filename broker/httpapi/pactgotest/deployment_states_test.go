package pactgotest

import (
	"context"
	"fmt"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

// seedDeploymentState sets up the provider states of the official client's
// matrix, environment and deployment interactions, after the Ruby broker's
// own definitions (spec/service_consumers/shared_provider_states.rb).
// handled is false for states it does not know.
func seedDeploymentState(s *sqlstore.Store, state string) (handled bool, err error) {
	ctx := context.Background()
	g := &seeder{ctx: ctx, s: s}
	switch state {
	case "the pact for Foo Thing version 1.2.3 has been verified by Bar version 4.5.6",
		"the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6":
		foo := "Foo"
		if state == "the pact for Foo Thing version 1.2.3 has been verified by Bar version 4.5.6" {
			foo = "Foo Thing"
		}
		g.pact(foo, "1.2.3", "Bar", "a")
		g.verify(foo, "1.2.3", "Bar", "4.5.6", true)
		g.verify(foo, "1.2.3", "Bar", "7.8.9", true)
		g.pact(foo, "2.0.0", "Bar", "b")
		g.verify(foo, "2.0.0", "Bar", "4.5.6", true)
	case "the pact for Foo version 1.2.3 and 1.2.4 has been verified by Bar version 4.5.6":
		g.pact("Foo", "1.2.3", "Bar", "a")
		g.verify("Foo", "1.2.3", "Bar", "4.5.6", true)
		g.pact("Foo", "1.2.4", "Bar", "b")
		g.verify("Foo", "1.2.4", "Bar", "4.5.6", true)
	case "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6, and 1.2.4 unsuccessfully by 9.9.9",
		"the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 with tag prod, and 1.2.4 unsuccessfully by 9.9.9":
		g.pact("Foo", "1.2.3", "Bar", "a")
		g.verify("Foo", "1.2.3", "Bar", "4.5.6", true)
		if state != "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6, and 1.2.4 unsuccessfully by 9.9.9" {
			g.tag("Bar", "4.5.6", "prod")
		}
		g.pact("Foo", "1.2.4", "Bar", "b")
		g.verify("Foo", "1.2.4", "Bar", "9.9.9", false)
	case "the pact for Foo version 1.2.3 has been verified by Bar version 4.5.6 and version 5.6.7":
		g.pact("Foo", "1.2.3", "Bar", "a")
		g.verify("Foo", "1.2.3", "Bar", "4.5.6", true)
		g.verify("Foo", "1.2.3", "Bar", "5.6.7", true)
	case "the pact for Foo version 1.2.3 has been successfully verified by Bar version 4.5.6 (tagged prod) and version 5.6.7":
		g.pact("Foo", "1.2.3", "Bar", "a")
		g.verify("Foo", "1.2.3", "Bar", "4.5.6", true)
		g.tag("Bar", "4.5.6", "prod")
		g.verify("Foo", "1.2.3", "Bar", "5.6.7", true)
	case "provider Bar version 4.5.6 has a successful verification for Foo version 1.2.3 tagged prod and a failed verification for version 3.4.5 tagged prod":
		g.pact("Foo", "1.2.3", "Bar", "a")
		g.tag("Foo", "1.2.3", "prod")
		g.verify("Foo", "1.2.3", "Bar", "4.5.6", true)
		g.pact("Foo", "3.4.5", "Bar", "random")
		g.tag("Foo", "3.4.5", "prod")
		g.verify("Foo", "3.4.5", "Bar", "4.5.6", false)
	case "an version is deployed to environment with UUID 16926ef3-590f-4e3f-838e-719717aa88c9 with target customer-1":
		g.deploy("16926ef3-590f-4e3f-838e-719717aa88c9", "ff3adecf-cfc5-4653-a4e3-f1861092f8e0", "customer-1")
	case "a currently deployed version exists":
		g.deploy("cb632df3-0a0d-4227-aac3-60114dd36479", "ff3adecf-cfc5-4653-a4e3-f1861092f8e0", "")
	default:
		return false, nil
	}
	return true, g.err
}

// seeder runs a sequence of store calls, stopping at the first error.
type seeder struct {
	ctx context.Context
	s   *sqlstore.Store
	err error
}

func (g *seeder) pact(consumer, version, provider, content string) {
	if g.err == nil {
		_, _, g.err = g.s.PutPact(g.ctx, consumer, provider, version, storetest.PactJSON(consumer, provider, content), false)
	}
}

func (g *seeder) verify(consumer, consumerVersion, provider, providerVersion string, ok bool) {
	if g.err != nil {
		return
	}
	p, err := g.s.GetPact(g.ctx, broker.PactRef{Consumer: consumer, Provider: provider, Version: consumerVersion})
	if err != nil {
		g.err = err
		return
	}
	_, g.err = g.s.RecordVerification(g.ctx, broker.VerificationRequest{Consumer: consumer, Provider: provider, SHA: p.SHA, ProviderVersion: providerVersion, Success: ok})
}

func (g *seeder) tag(pacticipant, version, tag string) {
	if g.err == nil {
		_, _, g.err = g.s.AddTag(g.ctx, pacticipant, version, tag)
	}
}

// deploy records Foo 5556b81... in the test environment envUUID with the
// deployment uuid the contract names.
func (g *seeder) deploy(envUUID, deploymentUUID, instance string) {
	if g.err != nil {
		return
	}
	const version = "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30"
	if _, _, g.err = g.s.PutVersion(g.ctx, "Foo", version, broker.VersionUpdate{}); g.err != nil {
		return
	}
	if _, g.err = g.s.CreateEnvironment(g.ctx, broker.Environment{Name: "test", DisplayName: "Test", UUID: envUUID}); g.err != nil {
		return
	}
	d, _, err := g.s.DeployVersion(g.ctx, "Foo", version, envUUID, instance)
	if err != nil {
		g.err = err
		return
	}
	// The store makes up deployment uuids; the contract's PATCH names one.
	q := `UPDATE deployed_versions SET uuid = ? WHERE uuid = ?`
	if g.s.Dialect() == sqlstore.Postgres {
		q = `UPDATE deployed_versions SET uuid = $1 WHERE uuid = $2`
	}
	if _, err := g.s.DB().ExecContext(g.ctx, q, deploymentUUID, d.UUID); err != nil {
		g.err = fmt.Errorf("set the deployment uuid: %w", err)
	}
}
