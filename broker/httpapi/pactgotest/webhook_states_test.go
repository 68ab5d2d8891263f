package pactgotest

import (
	"context"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

// seedWebhook is the Ruby broker's "a webhook with the uuid ... exists"
// state: a webhook between Condor and the Pricing Service.
func seedWebhook(s *sqlstore.Store, uuid string) error {
	ctx := context.Background()
	for _, name := range []string{"Condor", "Pricing Service"} {
		if _, _, err := s.UpdatePacticipant(ctx, name, broker.PacticipantUpdate{}, true); err != nil {
			return err
		}
	}
	_, err := s.CreateWebhook(ctx, broker.Webhook{
		UUID:     uuid,
		Consumer: &broker.WebhookPacticipant{Name: "Condor"},
		Provider: &broker.WebhookPacticipant{Name: "Pricing Service"},
		Enabled:  true,
		Events:   []string{broker.EventContractContentChanged},
		Request:  broker.WebhookRequest{Method: "POST", URL: "https://example.org/hook", Headers: map[string]string{"Accept": "application/json"}},
	})
	return err
}
