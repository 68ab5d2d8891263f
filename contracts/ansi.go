package contracts

import "io"

// ansiStripper passes on what is written to it without ANSI escape
// sequences (ESC [ ... final byte), which may be split across writes.
type ansiStripper struct {
	w     io.Writer
	state int // 0 text, 1 after ESC, 2 inside ESC [
}

func (a *ansiStripper) Write(p []byte) (int, error) {
	out := make([]byte, 0, len(p))
	for _, c := range p {
		switch a.state {
		case 0:
			if c == 0x1b {
				a.state = 1
				continue
			}
			out = append(out, c)
		case 1:
			if c == '[' {
				a.state = 2
			} else {
				a.state = 0 // a two-byte escape: drop it
			}
		case 2:
			if c >= 0x40 && c <= 0x7e {
				a.state = 0
			}
		}
	}
	if _, err := a.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
