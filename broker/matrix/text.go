package matrix

import (
	"strconv"
	"strings"
)

// Text renders a Result as the text/plain matrix (Accept: text/plain): a table of the rows, as
// Ruby's table_print lays it out (columns as wide as their widest value, at most 30 characters),
// then the verdict and the reason.
func Text(res Result) string {
	header := []string{"CONSUMER", "C_VERSION", "REVISION", "PROVIDER", "P_VERSION", "NUMBER", "SUCCESS"}
	table := [][]string{header}
	for _, r := range res.Rows {
		line := []string{r.Pact.Consumer, r.Pact.ConsumerVersion.Number, strconv.Itoa(r.Pact.Revision), r.Pact.Provider, "", "", ""}
		if v := r.Verification; v != nil {
			line[4], line[5], line[6] = v.ProviderVersion.Number, strconv.Itoa(v.Number), strconv.FormatBool(v.Success)
		}
		table = append(table, line)
	}
	widths := make([]int, len(header))
	for _, line := range table {
		for i, cell := range line {
			line[i] = truncate(cell)
			widths[i] = max(widths[i], len(line[i]))
		}
	}
	var b strings.Builder
	for n, line := range table {
		for i, cell := range line {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(cell + strings.Repeat(" ", widths[i]-len(cell)))
		}
		b.WriteByte('\n')
		if n == 0 {
			for i, w := range widths {
				if i > 0 {
					b.WriteString("-|-")
				}
				b.WriteString(strings.Repeat("-", w))
			}
			b.WriteByte('\n')
		}
	}
	deployable := "nil"
	if d := res.Summary.Deployable; d != nil {
		deployable = strconv.FormatBool(*d)
	}
	b.WriteString("\nDeployable: " + deployable + "\nReason: " + res.Summary.Reason + "\n")
	return b.String()
}

func truncate(s string) string {
	const maxWidth = 30
	if len(s) > maxWidth {
		return s[:maxWidth-3] + "..."
	}
	return s
}
