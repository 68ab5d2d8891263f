// Package pgimage chooses the PostgreSQL image that contract tests start,
// among the ones that exist on this machine: the one the user names, the
// official image if it is here or can be pulled, else the image `accord
// setup` builds from Debian packages where no registry answers. The
// contracts library and `accord setup`/`accord doctor` share it, so tests
// and set-up agree on the image. It needs no cgo.
package pgimage

import (
	"context"
	"errors"
	"fmt"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

const (
	// Default is the official image tests use where it exists.
	Default = "postgres:16-alpine"
	// Local is the image `accord setup` builds when no registry answers.
	Local = "accord-local/postgres:15-bookworm"
)

// Engine is what choosing needs of a container engine.
type Engine interface {
	// HasImage reports whether ref is in the engine's image store.
	HasImage(ctx context.Context, ref string) (bool, error)
	// Pull fetches ref from its registry.
	Pull(ctx context.Context, ref string) error
}

// Choice is the image chosen and why.
type Choice struct {
	Image string
	// Why says how it was chosen, for logs: "ACCORD_POSTGRES_IMAGE",
	// "present", "pulled", "built by accord setup".
	Why string
}

// ErrNoImage means no PostgreSQL image exists or can be pulled.
var ErrNoImage = errors.New("no PostgreSQL image on this machine")

// Choose picks the image: $ACCORD_POSTGRES_IMAGE as it is; else Default if
// present or pullable; else Local if present. A pull is given less time when
// Local is there to fall back on.
func Choose(ctx context.Context, getenv func(string) string, e Engine) (Choice, error) {
	if img := getenv("ACCORD_POSTGRES_IMAGE"); img != "" {
		return Choice{img, "ACCORD_POSTGRES_IMAGE"}, nil
	}
	has, err := e.HasImage(ctx, Default)
	if err != nil {
		return Choice{}, fmt.Errorf("cannot ask Docker for its images (%v): start Docker, or run `accord doctor`", err)
	}
	if has {
		return Choice{Default, "present"}, nil
	}
	local, err := e.HasImage(ctx, Local)
	if err != nil {
		return Choice{}, fmt.Errorf("cannot ask Docker for its images (%v): start Docker, or run `accord doctor`", err)
	}
	wait := 3 * time.Minute
	if local {
		wait = 20 * time.Second
	}
	pullCtx, cancel := context.WithTimeout(ctx, wait)
	pullErr := e.Pull(pullCtx, Default)
	cancel()
	switch {
	case pullErr == nil:
		return Choice{Default, "pulled"}, nil
	case local:
		return Choice{Local, "built by accord setup; " + Default + " cannot be pulled"}, nil
	}
	return Choice{}, fmt.Errorf("%w: %s is not here and cannot be pulled (%v), and %s was not built: run `accord setup` (it pulls or builds one), or set ACCORD_POSTGRES_IMAGE to an image you have",
		ErrNoImage, Default, firstLine(pullErr), Local)
}

func firstLine(err error) string {
	s := err.Error()
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// Docker is the Engine of a Docker daemon.
type Docker struct {
	client *client.Client
}

var _ Engine = (*Docker)(nil)

// NewDocker connects to the Docker engine testcontainers finds (DOCKER_HOST,
// the Docker context, ~/.testcontainers.properties, the usual sockets).
// testcontainers remembers, for the life of the process, where Docker is —
// or that it found none —, so a process that starts dockerd itself uses
// NewDockerFromEnv afterwards.
func NewDocker(ctx context.Context) (*Docker, error) {
	c, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, err
	}
	return &Docker{client: c.Client}, nil
}

// NewDockerFromEnv connects to $DOCKER_HOST, else the default socket.
func NewDockerFromEnv() (*Docker, error) {
	c, err := client.New(client.FromEnv)
	if err != nil {
		return nil, err
	}
	return &Docker{client: c}, nil
}

// Close releases the connection.
func (d *Docker) Close() error { return d.client.Close() }

// Ping checks that the engine answers.
func (d *Docker) Ping(ctx context.Context) error {
	_, err := d.client.Ping(ctx, client.PingOptions{})
	return err
}

// HasImage implements Engine.
func (d *Docker) HasImage(ctx context.Context, ref string) (bool, error) {
	_, err := d.client.ImageInspect(ctx, ref)
	if err == nil {
		return true, nil
	}
	if cerrdefs.IsNotFound(err) {
		return false, nil
	}
	return false, err
}

// ImageLabel returns the label key of the image ref ("" if none).
func (d *Docker) ImageLabel(ctx context.Context, ref, key string) (string, error) {
	img, err := d.client.ImageInspect(ctx, ref)
	if err != nil {
		return "", err
	}
	if img.Config == nil {
		return "", nil
	}
	return img.Config.Labels[key], nil
}

// Pull implements Engine.
func (d *Docker) Pull(ctx context.Context, ref string) error {
	resp, err := d.client.ImagePull(ctx, ref, client.ImagePullOptions{})
	if err != nil {
		return err
	}
	defer resp.Close()
	return resp.Wait(ctx)
}
