package ui

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Badge colours, as shields.io names them in the Ruby broker's URLs.
const (
	colorGreen  = "#4c1"    // brightgreen
	colorRed    = "#e05d44" // red
	colorOrange = "#fe7d37" // orange
	colorGrey   = "#9f9f9f" // lightgrey
)

// textWidth estimates the width of s in 11px Verdana, the badge font, so
// badges need no font metrics at run time.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case strings.ContainsRune("il.,:;'|!j ", r):
			w += 3.6
		case strings.ContainsRune("mwMW@", r):
			w += 10.5
		case r >= 'A' && r <= 'Z':
			w += 7.6
		case r >= '0' && r <= '9':
			w += 7.0
		case r > 0x2e80: // CJK and other wide scripts
			w += 11
		default:
			w += 6.6
		}
	}
	return w * size / 11
}

// badgeSVG draws a flat two-part badge like shields.io's.
func badgeSVG(label, message, color string) []byte {
	lw := math.Round(textWidth(label, 11) + 12)
	mw := math.Round(textWidth(message, 11) + 12)
	w := lw + mw
	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="20" role="img" aria-label="%s: %s">`, w, esc(label), esc(message))
	fmt.Fprintf(&b, `<title>%s: %s</title>`, esc(label), esc(message))
	b.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	fmt.Fprintf(&b, `<clipPath id="r"><rect width="%g" height="20" rx="3" fill="#fff"/></clipPath>`, w)
	fmt.Fprintf(&b, `<g clip-path="url(#r)"><rect width="%g" height="20" fill="#555"/><rect x="%g" width="%g" height="20" fill="%s"/><rect width="%g" height="20" fill="url(#s)"/></g>`, lw, lw, mw, color, w)
	b.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">`)
	for _, t := range []struct {
		x    float64
		text string
	}{{lw / 2, label}, {lw + mw/2, message}} {
		fmt.Fprintf(&b, `<text x="%g" y="15" fill="#010101" fill-opacity=".3">%s</text><text x="%g" y="14">%s</text>`, t.x, esc(t.text), t.x, esc(t.text))
	}
	b.WriteString(`</g></svg>`)
	return []byte(b.String())
}

// statusColor is the colour of a verification status on the page and in
// the diagram.
func statusColor(s Status) string {
	switch s {
	case Verified:
		return "#2e7d32"
	case Failed:
		return "#c62828"
	case Pending:
		return "#ef6c00"
	}
	return "#757575"
}

type netNode struct {
	name       string
	x, y, w, h float64
	center     bool
}

type netEdge struct {
	from, to *netNode
	status   Status
}

// networkSVG draws the pacticipant in the middle, its consumers on the left
// and its providers on the right, one arrow per pact (consumer → provider),
// coloured by the latest pact's verification status. Nodes link to their
// pages.
func networkSVG(center string, ins []Integration, href func(string) string) template.HTML {
	const (
		nodeH, gapY, gapX, pad, fontSize = 34.0, 14.0, 110.0, 16.0, 13.0
	)
	nodeW := func(name string) float64 { return math.Max(90, math.Round(textWidth(name, fontSize)+28)) }
	var left, right []*netNode
	var edges []netEdge
	mid := &netNode{name: center, center: true, w: nodeW(center), h: nodeH}
	var inCount, outCount int
	for _, in := range ins {
		if in.Provider == center && in.Consumer != center {
			inCount++
		} else if in.Consumer == center && in.Provider != center {
			outCount++
		}
	}
	// Arrows end on separate points of the centre node, so it grows with
	// the number of arrows on its busier side.
	mid.h = math.Max(nodeH, float64(max(inCount, outCount))*14+8)
	for _, in := range ins {
		switch {
		case in.Provider == center && in.Consumer != center:
			n := &netNode{name: in.Consumer, w: nodeW(in.Consumer), h: nodeH}
			left = append(left, n)
			edges = append(edges, netEdge{n, mid, in.Status()})
		case in.Consumer == center && in.Provider != center:
			n := &netNode{name: in.Provider, w: nodeW(in.Provider), h: nodeH}
			right = append(right, n)
			edges = append(edges, netEdge{mid, n, in.Status()})
		}
	}
	colW := func(ns []*netNode) float64 {
		w := 0.0
		for _, n := range ns {
			w = math.Max(w, n.w)
		}
		return w
	}
	lw, rw := colW(left), colW(right)
	rows := math.Max(1, math.Max(float64(len(left)), float64(len(right))))
	height := math.Max(pad*2+rows*nodeH+(rows-1)*gapY, mid.h+pad*2)
	x := pad
	place := func(ns []*netNode, colX, colWidth float64) {
		total := float64(len(ns))*nodeH + float64(max(len(ns)-1, 0))*gapY
		y := (height - total) / 2
		for _, n := range ns {
			n.x, n.y = colX+(colWidth-n.w), y
			y += nodeH + gapY
		}
	}
	if len(left) > 0 {
		place(left, x, lw)
		x += lw + gapX
	}
	mid.x, mid.y = x, (height-mid.h)/2
	x += mid.w
	if len(right) > 0 {
		x += gapX
		for _, n := range right {
			n.w = rw
		}
		place(right, x, rw)
		x += rw
	}
	width := x + pad

	esc := template.HTMLEscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="network" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-labelledby="network-title">`, width, height, width, height)
	fmt.Fprintf(&b, `<title id="network-title">%s: %d consumer(s) on the left, %d provider(s) on the right</title>`, esc(center), len(left), len(right))
	b.WriteString(`<defs>`)
	for _, s := range []Status{Verified, Failed, Pending, Unverified} {
		fmt.Fprintf(&b, `<marker id="arrow-%s" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker>`, s, statusColor(s))
	}
	b.WriteString(`</defs>`)
	var inIdx, outIdx int
	for _, e := range edges {
		x1, y1 := e.from.x+e.from.w, e.from.y+e.from.h/2
		x2, y2 := e.to.x, e.to.y+e.to.h/2
		if e.to.center {
			inIdx++
			y2 = e.to.y + e.to.h*float64(inIdx)/float64(inCount+1)
		} else {
			outIdx++
			y1 = e.from.y + e.from.h*float64(outIdx)/float64(outCount+1)
		}
		cx := (x1 + x2) / 2
		dash := ""
		if e.status == Unverified {
			dash = ` stroke-dasharray="5 4"`
		}
		fmt.Fprintf(&b, `<path class="edge %s" d="M%g,%g C%g,%g %g,%g %g,%g" fill="none" stroke="%s" stroke-width="2"%s marker-end="url(#arrow-%s)"><title>%s → %s: %s</title></path>`,
			e.status, x1, y1, cx, y1, cx, y2, x2-1, y2, statusColor(e.status), dash, e.status, esc(e.from.name), esc(e.to.name), e.status)
	}
	nodes := append(append(append([]*netNode{}, left...), mid), right...)
	for _, n := range nodes {
		cls := "node"
		if n.center {
			cls += " center"
		}
		fmt.Fprintf(&b, `<a class="%s" href="%s"><rect x="%g" y="%g" width="%g" height="%g" rx="6"/><text x="%g" y="%g" text-anchor="middle" dominant-baseline="central" font-size="%g">%s</text></a>`,
			cls, esc(href(n.name)), n.x, n.y, n.w, n.h, n.x+n.w/2, n.y+n.h/2, fontSize, esc(n.name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
