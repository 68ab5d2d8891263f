package inventory_test

import (
	"testing"

	accord "github.com/accord-cdc/accord/contracts"
)

const providerName = "inventory"

// provider is reached from two tests through a helper.
func verify(t *testing.T) {
	accord.VerifyProvider(t, accord.Provider{Name: providerName})
}

func TestInventoryHonoursItsPacts(t *testing.T) { verify(t) }

func TestAlsoVerifies(t *testing.T) {
	t.Run("sub", func(t *testing.T) { verify(t) })
}

func TestBuildsAProviderButDoesNotVerify(t *testing.T) {
	_ = accord.Provider{Name: providerName}
}

func TestUnrelated(t *testing.T) {}
