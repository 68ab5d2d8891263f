package setup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRecipeIsTheLabelBuildShWrites: the image build.sh labels is the one
// setup takes as current, so an image built by an older ci/setup.sh is
// still recognised and one from an older recipe is rebuilt.
func TestRecipeIsTheLabelBuildShWrites(t *testing.T) {
	out, err := exec.Command("bash", "-c", "cat postgres-image/build.sh postgres-image/docker-entrypoint.sh | sha256sum | cut -c1-16").Output()
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(string(out)), Recipe())
}

func TestFFIVersionIsReadWithoutLoadingTheLibrary(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libpact_ffi.so")
	require.NoError(t, os.WriteFile(lib, []byte("\x7fELF...Standalone Pact verifier...pact_verifier_cliv0.4.28error verifying"), 0o755))
	v, err := FFIVersion(lib)
	require.NoError(t, err)
	assert.Equal(t, "0.4.28", v)
	require.NoError(t, os.WriteFile(lib, []byte("\x7fELF something else"), 0o755))
	v, err = FFIVersion(lib)
	require.NoError(t, err)
	assert.Empty(t, v)
}

// npmRegistry serves one package version whose tarball holds files.
func npmRegistry(t *testing.T, name, version string, files map[string]string) string {
	t.Helper()
	var tgz bytes.Buffer
	gz := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(gz)
	for path, content := range files {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: path, Mode: 0o644, Size: int64(len(content))}))
		_, err := tw.Write([]byte(content))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.EscapedPath() {
		case "/" + strings.Replace(name, "/", "%2F", 1) + "/" + version:
			_ = json.NewEncoder(w).Encode(map[string]any{"dist": map[string]any{"tarball": srv.URL + "/package.tgz"}})
		case "/package.tgz":
			_, _ = w.Write(tgz.Bytes())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestInstallsLibpactFFIFromTheRegistryWithoutNpm: where npm is missing,
// setup reads the package from the registry itself, checks the version of
// what it installed, and a second run finds it present.
func TestInstallsLibpactFFIFromTheRegistryWithoutNpm(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the fake package is the linux-x64 one") // other platforms: the mapping is the same table
	}
	registry := npmRegistry(t, "@pact-foundation/pact-core-linux-x64-glibc", pactCoreVersion,
		map[string]string{"package/prebuilds/linux-x64/libpact_ffi.so": "ELF pact_verifier_cliv" + PactFFIVersion + " ..."})
	t.Setenv("PATH", t.TempDir()) // no npm
	var out bytes.Buffer
	m := &Machine{Out: &out, FFIDir: t.TempDir(), Getenv: func(k string) string {
		if k == "npm_config_registry" {
			return registry
		}
		return ""
	}}
	res := Result{FFIDir: m.FFIDir}
	err := m.pactFFI(context.Background(), false, &res)
	assert.ErrorContains(t, err, "no libpact_ffi at "+m.FFIDir+"/libpact_ffi.so: run `accord setup`", "doctor changes nothing")

	require.NoError(t, m.pactFFI(context.Background(), true, &res))
	assert.Equal(t, []string{"libpact_ffi " + PactFFIVersion}, res.Did)
	assert.Contains(t, out.String(), "downloading @pact-foundation/pact-core-linux-x64-glibc@"+pactCoreVersion+" from "+registry)
	assert.Contains(t, out.String(), `export CGO_LDFLAGS="-L`+m.FFIDir, "a library outside /usr/local/lib needs the linker told")

	res.Did = nil
	require.NoError(t, m.pactFFI(context.Background(), true, &res))
	assert.Empty(t, res.Did, "the second run installs nothing")
	assert.Contains(t, out.String(), "present: "+m.FFIDir+"/libpact_ffi.so reports "+PactFFIVersion)

	require.NoError(t, os.WriteFile(filepath.Join(m.FFIDir, "libpact_ffi.so"), []byte("pact_verifier_cliv0.4.20"), 0o755))
	err = m.pactFFI(context.Background(), false, &res)
	assert.ErrorContains(t, err, `is version "0.4.20", pact-go v2.4.2 needs 0.4.28: run `+"`accord setup`")
}

// TestDoctorOnThisMachine: make test runs make setup first, which runs
// accord setup; doctor must then find nothing to fix.
func TestDoctorOnThisMachine(t *testing.T) {
	var out bytes.Buffer
	m := &Machine{Out: &out, Getenv: os.Getenv}
	res := m.Doctor(context.Background())
	assert.Empty(t, res.Problems, "run make setup first:\n%s", out.String())
	assert.NotEmpty(t, res.PostgresImage)
	assert.Contains(t, out.String(), "libpact_ffi "+PactFFIVersion)
}
