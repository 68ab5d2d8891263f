package users_test

import (
	"testing"

	"github.com/accord-cdc/accord/contracts"
)

// One PostgreSQL container serves every test in the package.
func TestMain(m *testing.M) { contracts.Main(m) }
