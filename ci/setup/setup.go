// Package setup makes a machine ready for contract tests — a Docker engine,
// libpact_ffi of the version pact-go links, a PostgreSQL image — and checks
// one without changing it. `accord setup` and `accord doctor` run it; this
// repository's ci/setup.sh calls `accord setup` for these steps, so there is
// one bootstrap. Every step first looks whether its result is there and
// says so; only what is missing is installed; every wait is bounded; every
// problem names its fix.
package setup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/accord-cdc/accord/contracts/pgimage"
)

// PactFFIVersion is the libpact_ffi pact-go v2.4.2 links.
const PactFFIVersion = "0.4.28"

// pactCoreVersion is the npm release of @pact-foundation/pact-core-* that
// ships libpact_ffi 0.4.28 (the official build).
const pactCoreVersion = "18.1.0"

//go:embed postgres-image/build.sh
var buildScript []byte

//go:embed postgres-image/docker-entrypoint.sh
var entrypointScript []byte

// Machine is the machine being set up or checked.
type Machine struct {
	// Out receives one line per step and what it did.
	Out io.Writer
	// Getenv reads the environment (ACCORD_POSTGRES_IMAGE, npm_config_registry).
	Getenv func(string) string
	// FFIDir is where libpact_ffi is installed; empty means /usr/local/lib
	// when writable (where pact-go's cgo flags look), else
	// ~/.local/share/accord/lib.
	FFIDir string
	// LogDir receives the logs of long steps (dockerd, apt-get, the image
	// build); empty means a temporary folder.
	LogDir string
	// HTTP fetches from the npm registry when npm is not installed.
	HTTP *http.Client
}

// Result is what the steps found or made.
type Result struct {
	PostgresImage string
	FFIDir        string
	// Did lists what was installed, started or built; empty when the
	// machine was ready.
	Did []string
	// Problems are what doctor found, each with its fix.
	Problems []string
}

func (m *Machine) say(format string, args ...any) {
	fmt.Fprintf(m.Out, "    "+format+"\n", args...)
}

func (m *Machine) step(name string) { fmt.Fprintf(m.Out, "==> %s\n", name) }

func isRoot() bool { return os.Geteuid() == 0 }

func (m *Machine) ffiDir() string {
	if m.FFIDir != "" {
		return m.FFIDir
	}
	if runtime.GOOS == "linux" && (isRoot() || writable("/usr/local/lib")) {
		return "/usr/local/lib"
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".local", "share", "accord", "lib")
}

func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".accord-probe-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

func (m *Machine) logDir() string {
	if m.LogDir == "" {
		m.LogDir, _ = os.MkdirTemp("", "accord-setup-")
	}
	_ = os.MkdirAll(m.LogDir, 0o755)
	return m.LogDir
}

// Setup installs, starts or builds what is missing.
func (m *Machine) Setup(ctx context.Context) (Result, error) {
	res := Result{FFIDir: m.ffiDir()}
	docker, err := m.docker(ctx, true, &res)
	if err != nil {
		return res, err
	}
	defer docker.Close()
	if err := m.pactFFI(ctx, true, &res); err != nil {
		return res, err
	}
	if err := m.postgresImage(ctx, docker, true, &res); err != nil {
		return res, err
	}
	return res, nil
}

// Doctor checks every step without changing anything; each problem found
// is in Result.Problems with its fix.
func (m *Machine) Doctor(ctx context.Context) Result {
	res := Result{FFIDir: m.ffiDir()}
	docker, err := m.docker(ctx, false, &res)
	if err != nil {
		res.Problems = append(res.Problems, err.Error())
		m.say("PROBLEM: %v", err)
	}
	if err := m.pactFFI(ctx, false, &res); err != nil {
		res.Problems = append(res.Problems, err.Error())
		m.say("PROBLEM: %v", err)
	}
	if docker != nil {
		defer docker.Close()
		if err := m.postgresImage(ctx, docker, false, &res); err != nil {
			res.Problems = append(res.Problems, err.Error())
			m.say("PROBLEM: %v", err)
		}
	}
	return res
}

// --- Docker -----------------------------------------------------------------

func (m *Machine) docker(ctx context.Context, fix bool, res *Result) (*pgimage.Docker, error) {
	m.step("Docker engine (testcontainers starts PostgreSQL in it)")
	ping := func(connect func(context.Context) (*pgimage.Docker, error)) (*pgimage.Docker, error) {
		pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		d, err := connect(pctx)
		if err != nil {
			return nil, err
		}
		if err := d.Ping(pctx); err != nil {
			d.Close()
			return nil, err
		}
		return d, nil
	}
	fromEnv := func(context.Context) (*pgimage.Docker, error) { return pgimage.NewDockerFromEnv() }
	d, err := ping(pgimage.NewDocker)
	if err != nil {
		if d2, err2 := ping(fromEnv); err2 == nil {
			d, err = d2, nil
		}
	}
	if err == nil {
		m.say("running")
		return d, nil
	}
	if strings.Contains(strings.ToLower(err.Error()), "permission denied") {
		return nil, fmt.Errorf("Docker runs, but this user may not use its socket: add yourself to the docker group (sudo usermod -aG docker $USER, then log in again), or run as root")
	}
	_, aptErr := exec.LookPath("apt-get")
	if !fix || !isRoot() || aptErr != nil || runtime.GOOS != "linux" {
		return nil, fmt.Errorf("no Docker engine answers (%s): start Docker (Docker Desktop on macOS; sudo systemctl start docker on Linux), or run `sudo accord setup` on Debian/Ubuntu to install and start it", firstLine(err.Error()))
	}
	if _, err := exec.LookPath("dockerd"); err != nil {
		if err := m.aptInstall(ctx, res, "docker.io"); err != nil {
			return nil, err
		}
	}
	log := filepath.Join(m.logDir(), "dockerd.log")
	m.say("starting dockerd --ip-masq=false in the background (log: %s)", log)
	lf, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	cmd := exec.Command("dockerd", "--ip-masq=false")
	cmd.Stdout, cmd.Stderr = lf, lf
	// Its own session: dockerd must outlive accord and whatever called it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start dockerd: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		// Not pgimage.NewDocker: testcontainers remembers it found no Docker.
		if d, err := ping(fromEnv); err == nil {
			res.Did = append(res.Did, "dockerd started")
			m.say("running")
			return d, nil
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("dockerd exited at start: inside a container it needs --privileged; see %s", log)
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("dockerd did not answer within 60 s: see %s", log)
		}
	}
}

func (m *Machine) aptInstall(ctx context.Context, res *Result, pkgs ...string) error {
	log := filepath.Join(m.logDir(), "apt.log")
	m.say("apt-get install %s (log: %s)", strings.Join(pkgs, " "), log)
	lf, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer lf.Close()
	run := func(timeout time.Duration, args ...string) error {
		c, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		cmd := exec.CommandContext(c, "apt-get", args...)
		cmd.Stdout, cmd.Stderr = lf, lf
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.Run()
	}
	if err := run(5*time.Minute, "update", "-qq"); err != nil {
		return fmt.Errorf("apt-get update failed (%v): see %s", err, log)
	}
	if err := run(15*time.Minute, append([]string{"install", "-y", "-qq", "--no-install-recommends"}, pkgs...)...); err != nil {
		return fmt.Errorf("apt-get install %s failed (%v): see %s", strings.Join(pkgs, " "), err, log)
	}
	res.Did = append(res.Did, strings.Join(pkgs, " ")+" installed")
	return nil
}

// --- libpact_ffi --------------------------------------------------------------

// ffiPlatform is the npm package and the file in it for this OS and CPU.
func ffiPlatform() (pkg, file, lib string, err error) {
	switch runtime.GOOS + "/" + runtime.GOARCH {
	case "linux/amd64":
		return "@pact-foundation/pact-core-linux-x64-glibc", "prebuilds/linux-x64/libpact_ffi.so", "libpact_ffi.so", nil
	case "linux/arm64":
		return "@pact-foundation/pact-core-linux-arm64-glibc", "prebuilds/linux-arm64/libpact_ffi.so", "libpact_ffi.so", nil
	case "darwin/arm64":
		return "@pact-foundation/pact-core-darwin-arm64", "prebuilds/darwin-arm64/libpact_ffi.dylib", "libpact_ffi.dylib", nil
	case "darwin/amd64":
		return "@pact-foundation/pact-core-darwin-x64", "prebuilds/darwin-x64/libpact_ffi.dylib", "libpact_ffi.dylib", nil
	}
	return "", "", "", fmt.Errorf("no libpact_ffi build for %s/%s: install libpact_ffi %s yourself (https://github.com/pact-foundation/pact-reference/releases)", runtime.GOOS, runtime.GOARCH, PactFFIVersion)
}

// The version a libpact_ffi build carries: its embedded verifier CLI is
// named with it ("pact_verifier_cliv0.4.28"). Reading it needs no cgo and
// does not load the library.
var ffiVersionMark = regexp.MustCompile(`pact_verifier_cliv(\d+\.\d+\.\d+)`)

// FFIVersion reads the version of the libpact_ffi at path ("" if unknown).
func FFIVersion(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if m := ffiVersionMark.FindSubmatch(b); m != nil {
		return string(m[1]), nil
	}
	return "", nil
}

func (m *Machine) pactFFI(ctx context.Context, fix bool, res *Result) error {
	m.step("libpact_ffi " + PactFFIVersion + " (the Rust core that pact-go links through cgo)")
	pkg, file, lib, err := ffiPlatform()
	if err != nil {
		return err
	}
	dir := res.FFIDir
	path := filepath.Join(dir, lib)
	have, err := FFIVersion(path)
	switch {
	case err == nil && have == PactFFIVersion:
		m.say("present: %s reports %s", path, have)
		m.linkHint(dir)
		return nil
	case !fix && errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("no libpact_ffi at %s: run `accord setup` (it installs %s there)", path, PactFFIVersion)
	case !fix:
		return fmt.Errorf("%s is version %q, pact-go v2.4.2 needs %s: run `accord setup` to replace it", path, have, PactFFIVersion)
	case err == nil:
		m.say("found version %q at %s, pact-go v2.4.2 needs %s: replacing it", have, path, PactFFIVersion)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w (run as root, or pass --ffi-dir)", dir, err)
	}
	tgz, cleanup, err := m.npmTarball(ctx, pkg+"@"+pactCoreVersion)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := extractFile(tgz, "package/"+file, path); err != nil {
		return fmt.Errorf("%s@%s: %w", pkg, pactCoreVersion, err)
	}
	have, err = FFIVersion(path)
	if err != nil || have != PactFFIVersion {
		return fmt.Errorf("the installed %s reports %q, expected %s: remove it and report this", path, have, PactFFIVersion)
	}
	if _, err := exec.LookPath("ldconfig"); err == nil && isRoot() && runtime.GOOS == "linux" {
		_ = exec.CommandContext(ctx, "ldconfig").Run()
	}
	res.Did = append(res.Did, "libpact_ffi "+have)
	m.say("installed: %s reports %s", path, have)
	m.linkHint(dir)
	return nil
}

// linkHint tells how go test finds a library outside the default folder.
func (m *Machine) linkHint(dir string) {
	if dir != "/usr/local/lib" {
		m.say("go test links it with: export CGO_LDFLAGS=\"-L%s -Wl,-rpath,%s\"", dir, dir)
	}
}

// npmTarball fetches the package tarball: with npm when it is installed
// (it knows the user's registry and proxy settings), else from the registry
// ($npm_config_registry, default registry.npmjs.org) over HTTP.
func (m *Machine) npmTarball(ctx context.Context, spec string) (string, func(), error) {
	tmp, err := os.MkdirTemp("", "accord-npm-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	fail := func(err error) (string, func(), error) { cleanup(); return "", nil, err }
	if npm, err := exec.LookPath("npm"); err == nil {
		m.say("npm pack %s (the official build, served by the npm registry)", spec)
		c, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(c, npm, "pack", "--silent", spec)
		cmd.Dir = tmp
		if out, err := cmd.CombinedOutput(); err != nil {
			return fail(fmt.Errorf("npm pack %s failed (%v): %s; the npm registry must be reachable", spec, err, firstLine(string(out))))
		}
		files, _ := filepath.Glob(filepath.Join(tmp, "*.tgz"))
		if len(files) != 1 {
			return fail(fmt.Errorf("npm pack %s wrote no tarball", spec))
		}
		return files[0], cleanup, nil
	}
	registry := strings.TrimRight(m.Getenv("npm_config_registry"), "/")
	if registry == "" {
		registry = strings.TrimRight(m.Getenv("NPM_CONFIG_REGISTRY"), "/")
	}
	if registry == "" {
		registry = "https://registry.npmjs.org"
	}
	name, version, _ := strings.Cut(strings.TrimPrefix(spec, "@"), "@")
	name = "@" + name
	m.say("downloading %s from %s (npm is not installed)", spec, registry)
	client := m.HTTP
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Minute}
	}
	var meta struct {
		Dist struct {
			Tarball string `json:"tarball"`
			Shasum  string `json:"shasum"`
		} `json:"dist"`
	}
	get := func(u string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%v: the npm registry must be reachable (set npm_config_registry for a mirror)", err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
		}
		return resp, nil
	}
	resp, err := get(registry + "/" + url.PathEscape(name) + "/" + version)
	if err != nil {
		return fail(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&meta)
	resp.Body.Close()
	if err != nil || meta.Dist.Tarball == "" {
		return fail(fmt.Errorf("the registry's answer for %s names no tarball", spec))
	}
	resp, err = get(meta.Dist.Tarball)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	path := filepath.Join(tmp, "package.tgz")
	f, err := os.Create(path)
	if err != nil {
		return fail(err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fail(fmt.Errorf("download %s: %w", meta.Dist.Tarball, err))
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	return path, cleanup, nil
}

// extractFile copies one file out of a .tgz to dest, atomically.
func extractFile(tgz, name, dest string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("not a gzip tarball: %w", err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("the package has no %s", name)
		}
		if err != nil {
			return err
		}
		if h.Name != name {
			continue
		}
		tmp, err := os.CreateTemp(filepath.Dir(dest), ".accord-*")
		if err != nil {
			return err
		}
		if _, err := io.Copy(tmp, tr); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return err
		}
		if err := tmp.Chmod(0o755); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return err
		}
		if err := tmp.Close(); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		return os.Rename(tmp.Name(), dest)
	}
}

// --- PostgreSQL image -------------------------------------------------------------

// Recipe is the label of a locally built image: the first 16 hex digits of
// the SHA-256 of build.sh and docker-entrypoint.sh, so an image built from
// an older recipe is rebuilt.
func Recipe() string {
	sum := sha256.Sum256(append(append([]byte{}, buildScript...), entrypointScript...))
	return hex.EncodeToString(sum[:])[:16]
}

func (m *Machine) postgresImage(ctx context.Context, d *pgimage.Docker, fix bool, res *Result) error {
	m.step("PostgreSQL image for testcontainers")
	if img := m.Getenv("ACCORD_POSTGRES_IMAGE"); img != "" {
		has, err := d.HasImage(ctx, img)
		if err != nil {
			return err
		}
		if !has && fix {
			pctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
			err = d.Pull(pctx, img)
			cancel()
			has = err == nil
		}
		if !has {
			return fmt.Errorf("ACCORD_POSTGRES_IMAGE=%s is neither here nor pullable: unset it to use %s or the local build", img, pgimage.Default)
		}
		m.say("using ACCORD_POSTGRES_IMAGE=%s", img)
		res.PostgresImage = img
		return nil
	}
	if has, err := d.HasImage(ctx, pgimage.Default); err != nil {
		return err
	} else if has {
		m.say("present: %s", pgimage.Default)
		res.PostgresImage = pgimage.Default
		return nil
	}
	local, err := d.HasImage(ctx, pgimage.Local)
	if err != nil {
		return err
	}
	current := false
	if local {
		label, err := d.ImageLabel(ctx, pgimage.Local, "accord.recipe")
		if err != nil {
			return err
		}
		current = label == Recipe()
	}
	if current {
		m.say("present: %s (built from Debian packages; %s is not on this machine)", pgimage.Local, pgimage.Default)
		res.PostgresImage = pgimage.Local
		return nil
	}
	if !fix {
		if local {
			return fmt.Errorf("%s was built from an older recipe: run `accord setup` to rebuild it", pgimage.Local)
		}
		return fmt.Errorf("no PostgreSQL image (%s is not here): run `accord setup` (it pulls it, or builds %s where no registry answers)", pgimage.Default, pgimage.Local)
	}
	m.say("trying docker pull %s (30 s at most)", pgimage.Default)
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = d.Pull(pctx, pgimage.Default)
	cancel()
	if err == nil {
		res.Did = append(res.Did, pgimage.Default+" pulled")
		res.PostgresImage = pgimage.Default
		return nil
	}
	if local {
		m.say("%s is out of date with its recipe: rebuilding", pgimage.Local)
	}
	return m.buildLocalImage(ctx, res)
}

// buildLocalImage builds pgimage.Local from Debian's postgresql-15 with
// debootstrap (root, Debian/Ubuntu): what a machine without a registry can do.
func (m *Machine) buildLocalImage(ctx context.Context, res *Result) error {
	if !isRoot() {
		return fmt.Errorf("no registry answered and building %s needs root: run `sudo accord setup` once, or set ACCORD_POSTGRES_IMAGE to a PostgreSQL image you have", pgimage.Local)
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		if _, aptErr := exec.LookPath("apt-get"); aptErr != nil {
			return fmt.Errorf("no registry answered and building %s needs debootstrap: install it, or set ACCORD_POSTGRES_IMAGE", pgimage.Local)
		}
		if err := m.aptInstall(ctx, res, "debootstrap"); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "accord-postgres-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for name, b := range map[string][]byte{"build.sh": buildScript, "docker-entrypoint.sh": entrypointScript} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o755); err != nil {
			return err
		}
	}
	m.say("no registry answered: building %s from Debian's postgresql-15 (once per machine, about 2 minutes)", pgimage.Local)
	c, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(c, "bash", filepath.Join(dir, "build.sh"), pgimage.Local)
	cmd.Stdout, cmd.Stderr = m.Out, m.Out
	cmd.Env = os.Environ()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s failed (%v): see the output above", pgimage.Local, err)
	}
	res.Did = append(res.Did, pgimage.Local+" built")
	res.PostgresImage = pgimage.Local
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
