package console

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// parsePages parses each page template with the layout around it.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("console: layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("console: page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"money": func(m plusone.Money, currency string) string { return m.Format(currency) },
	"date":  func(t time.Time) string { return formatTime(t, "Jan 2 2006") },
	"when":  func(t time.Time) string { return formatTime(t, "Jan 2 2006 15:04 MST") },
	"iso":   func(t time.Time) string { return formatTime(t, time.RFC3339) },
	"pct":   func(f plusone.Figure) string { return figure(float64(f)*100, 1) + "%" },
	"num":   func(f plusone.Figure, decimals int) string { return figure(float64(f), decimals) },
	"title": func(s string) string {
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
	},
	"dur":   plusone.FormatDuration,
	"share": func(f float64) string { return strconv.FormatFloat(f*100, 'f', -1, 64) + "%" },
	"list":  func() []int { return []int{7, 14, 30, 90, 365} },
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
}

func formatTime(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format(layout)
}

// figure formats a report figure; NaN and infinities are "—".
func figure(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// pageData is what the layout reads; Page is the page's own data.
type pageData struct {
	Title  string
	Nav    string
	Viewer viewer
	CSRF   string
	Page   any
}

// render writes page name with data, status 200. The page is rendered to
// a buffer first, so that a template error is a clean 500.
func (c *Console) render(w http.ResponseWriter, r *http.Request, name, title, nav string, data any) {
	c.renderStatus(w, r, http.StatusOK, name, title, nav, data)
}

func (c *Console) renderStatus(w http.ResponseWriter, r *http.Request, status int, name, title, nav string, data any) {
	t, ok := c.pages[name]
	if !ok {
		c.Log.Error("console: no such template", "page", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := viewerOf(r)
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", pageData{Title: title, Nav: nav, Viewer: v, CSRF: v.csrf, Page: data}); err != nil {
		c.Log.Error("console: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = b.WriteTo(w)
}

// fail answers an error page with status and a message for people.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.renderStatus(w, r, status, "error", http.StatusText(status), "", struct {
		Status  int
		Message string
	}{status, msg})
}

// failErr answers err: 404 for what is not found, 403 for what is not
// the viewer's, 400 for bad input, else 500 (logged, not shown).
func (c *Console) failErr(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errNotYours):
		c.fail(w, r, http.StatusForbidden, "This belongs to another agent. Supervisors see everything; agents see the customers they helped and their own gestures.")
	case plusone.ErrorCode(err) == plusone.ENOTFOUND:
		c.fail(w, r, http.StatusNotFound, "Not found: "+plusone.ErrorMessage(err))
	case plusone.ErrorCode(err) == plusone.EINVALID:
		c.fail(w, r, http.StatusBadRequest, plusone.ErrorMessage(err))
	case plusone.ErrorCode(err) == plusone.EUNAUTHORIZED:
		c.fail(w, r, http.StatusForbidden, plusone.ErrorMessage(err))
	default:
		c.Log.Error("console", "path", r.URL.Path, "err", err)
		c.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side; it was logged. Try again in a moment.")
	}
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
