package pgimage

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeEngine has the images in have; pulls succeed for those in pullable.
type fakeEngine struct {
	have, pullable map[string]bool
	pulled         []string
	err            error
}

func (f *fakeEngine) HasImage(_ context.Context, ref string) (bool, error) { return f.have[ref], f.err }

func (f *fakeEngine) Pull(_ context.Context, ref string) error {
	f.pulled = append(f.pulled, ref)
	if f.pullable[ref] {
		return nil
	}
	return errors.New(`Get "https://registry-1.docker.io/v2/": no such host`)
}

func TestChoose(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      string
		have     []string
		pullable bool
		want     Choice
		pulled   bool
		wantErr  string
	}{
		{name: "the user's image, unchecked", env: "my/pg:15", want: Choice{"my/pg:15", "ACCORD_POSTGRES_IMAGE"}},
		{name: "the official image is here", have: []string{Default, Local}, want: Choice{Default, "present"}},
		{name: "pullable", pullable: true, want: Choice{Default, "pulled"}, pulled: true},
		{name: "pullable wins over the local build", have: []string{Local}, pullable: true, want: Choice{Default, "pulled"}, pulled: true},
		{name: "no registry: the local build", have: []string{Local}, want: Choice{Local, "built by accord setup; " + Default + " cannot be pulled"}, pulled: true},
		{name: "nothing", pulled: true, wantErr: "no PostgreSQL image on this machine: postgres:16-alpine is not here and cannot be pulled (Get \"https://registry-1.docker.io/v2/\": no such host), and accord-local/postgres:15-bookworm was not built: run `accord setup`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := &fakeEngine{have: map[string]bool{}, pullable: map[string]bool{Default: tc.pullable}}
			for _, h := range tc.have {
				e.have[h] = true
			}
			got, err := Choose(context.Background(), func(k string) string {
				if k == "ACCORD_POSTGRES_IMAGE" {
					return tc.env
				}
				return ""
			}, e)
			if tc.wantErr != "" {
				require.ErrorIs(t, err, ErrNoImage)
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.pulled, len(e.pulled) > 0)
		})
	}
	_, err := Choose(context.Background(), func(string) string { return "" }, &fakeEngine{err: errors.New("connection refused")})
	assert.ErrorContains(t, err, "cannot ask Docker for its images (connection refused): start Docker")
}
