package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/accord-cdc/accord/broker"
)

var _ broker.Labels = (*Store)(nil)

// AddLabel implements broker.Labels.
func (s *Store) AddLabel(ctx context.Context, pacticipant, label string) (broker.Label, bool, error) {
	if label == "" {
		return broker.Label{}, false, broker.Errorf(broker.Invalid, "a label cannot be blank")
	}
	var created bool
	err := s.write(ctx, func(r runner) error {
		pid, _, err := r.ensurePacticipant(ctx, pacticipant)
		if err != nil {
			return err
		}
		res, err := r.tx.ExecContext(ctx, s.rebind(`INSERT INTO labels (pacticipant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (pacticipant_id, name) DO NOTHING`), pid, label, s.ts())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		created = n > 0
		return err
	})
	if err != nil {
		return broker.Label{}, false, fmt.Errorf("add label: %w", err)
	}
	l, err := s.GetLabel(ctx, pacticipant, label)
	return l, created, err
}

// GetLabel implements broker.Labels.
func (s *Store) GetLabel(ctx context.Context, pacticipant, label string) (broker.Label, error) {
	l := broker.Label{Pacticipant: pacticipant, Name: label}
	var c int64
	err := s.read().row(ctx, `SELECT l.created_at FROM labels l JOIN pacticipants p ON p.id = l.pacticipant_id WHERE p.name = ? AND l.name = ?`, pacticipant, label).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return l, broker.Errorf(broker.NotFound, "%s has no label %q; add it with PUT /pacticipants/%s/labels/%s", pacticipant, label, pacticipant, label)
	}
	if err != nil {
		return l, fmt.Errorf("get label: %w", err)
	}
	l.CreatedAt = fromTS(c)
	return l, nil
}

// DeleteLabel implements broker.Labels.
func (s *Store) DeleteLabel(ctx context.Context, pacticipant, label string) error {
	return s.write(ctx, func(r runner) error {
		res, err := r.tx.ExecContext(ctx, s.rebind(`DELETE FROM labels WHERE name = ? AND pacticipant_id = (SELECT id FROM pacticipants WHERE name = ?)`), label, pacticipant)
		if err != nil {
			return fmt.Errorf("delete label: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return broker.Errorf(broker.NotFound, "%s has no label %q", pacticipant, label)
		}
		return nil
	})
}

// PacticipantLabels implements broker.Labels.
func (s *Store) PacticipantLabels(ctx context.Context, pacticipant string) ([]broker.Label, error) {
	var out []broker.Label
	err := scanRows(ctx, s.read(), `SELECT l.name, l.created_at FROM labels l JOIN pacticipants p ON p.id = l.pacticipant_id WHERE p.name = ? ORDER BY l.name`, func(rows *sql.Rows) error {
		l := broker.Label{Pacticipant: pacticipant}
		var c int64
		err := rows.Scan(&l.Name, &c)
		l.CreatedAt = fromTS(c)
		out = append(out, l)
		return err
	}, pacticipant)
	return out, err
}

// LabelNames implements broker.Labels.
func (s *Store) LabelNames(ctx context.Context, page broker.Page) ([]string, int, error) {
	r := s.read()
	var total int
	if err := r.row(ctx, `SELECT COUNT(DISTINCT name) FROM labels`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("list labels: %w", err)
	}
	q, args := `SELECT DISTINCT name FROM labels ORDER BY name`, []any{}
	if page.Size > 0 {
		q += ` LIMIT ? OFFSET ?`
		args = append(args, page.Size, (max(page.Number, 1)-1)*page.Size)
	}
	var out []string
	err := scanRows(ctx, r, q, func(rows *sql.Rows) error {
		var n string
		err := rows.Scan(&n)
		out = append(out, n)
		return err
	}, args...)
	return out, total, err
}

// LabelledPacticipants implements broker.Labels.
func (s *Store) LabelledPacticipants(ctx context.Context, label string) ([]broker.Pacticipant, error) {
	var out []broker.Pacticipant
	err := scanRows(ctx, s.read(), `SELECT `+pacticipantCols+` FROM pacticipants WHERE id IN (SELECT pacticipant_id FROM labels WHERE name = ?) ORDER BY name`, func(rows *sql.Rows) error {
		p, err := scanPacticipant(rows)
		out = append(out, p)
		return err
	}, label)
	return out, err
}
