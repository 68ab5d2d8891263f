package direct

import (
	"testing"

	"github.com/accord-cdc/accord/contracts"
)

func TestProvider(t *testing.T) {
	contracts.VerifyProvider(t, contracts.Provider{Name: "stock"})
}

func TestComputedName(t *testing.T) {
	name := "computed"
	contracts.VerifyProvider(t, contracts.Provider{Name: name})
}
