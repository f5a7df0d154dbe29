package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// browser is a headless Chromium tab and what its pages wrote to the
// console.
type browser struct {
	t   *testing.T
	ctx context.Context
	mu  sync.Mutex
	log []chromedp.ConsoleMessage
}

// newBrowser starts headless Chromium (Debian's chromium package) with a
// fresh profile. Without Chromium the test is skipped, except under CI,
// where it fails.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; CI must install Debian's chromium package to run the console's browser tests")
		}
		t.Skip("chromium is not installed (apt-get install chromium): the console's browser tests are skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1440, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900)); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	b := &browser{t: t, ctx: ctx}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.log = append(b.log, m)
			b.mu.Unlock()
		}
	}()
	return b
}

// do runs actions, each of them bounded so that a page that never shows
// what it should fails the test instead of hanging it.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v\nconsole: %s", err, b.messages())
	}
}

// eval evaluates JavaScript in the page, awaiting a promise it returns.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v\nconsole: %s", js, err, b.messages())
	}
	return v
}

// waitFor waits until a JavaScript expression is true; when it never is,
// the test fails with what the page shows.
func (b *browser) waitFor(js string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		shown, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('main').innerText`))
		b.t.Fatalf("waiting for %s: %v\npage:\n%s\nconsole: %s", js, err, shown, b.messages())
	}
}

// text returns the text content of the elements a CSS selector finds.
func (b *browser) text(sel string) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.textContent)`, sel))
}

// setValue types into an input and fires its input event.
func (b *browser) setValue(sel, value string) {
	b.t.Helper()
	eval[chromedp.Void](b, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event('input', {bubbles: true})); })()`, sel, value))
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

func (b *browser) messages() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var s []string
	for _, m := range b.log {
		s = append(s, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
	}
	return strings.Join(s, "\n")
}

// noErrors fails the test if a page wrote an error or warning to the
// console or threw, other than the failed requests allowed (by substring
// of their URL), which it then forgets.
func (b *browser) noErrors(step string, allowed ...string) {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
outer:
	for _, m := range b.log {
		if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleWarning && !m.IsException() {
			continue
		}
		for _, a := range allowed {
			if m.Source == "network" && strings.Contains(m.URL, a) {
				continue outer
			}
		}
		b.t.Errorf("%s: the page logged %s (%s:%d)", step, m, m.URL, m.Line+1)
	}
	b.log = nil
}

// open loads a console URL and waits for the page to finish rendering.
func (b *browser) open(url, ready string) {
	b.t.Helper()
	b.do(chromedp.Navigate(url))
	b.waitFor(ready)
}

// darkMode switches prefers-color-scheme.
func (b *browser) darkMode(on bool) {
	b.t.Helper()
	scheme := "light"
	if on {
		scheme = "dark"
	}
	if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
		b.t.Fatal(err)
	}
}

// screenshot saves the viewport as name.png in $LAMBDALOG_SCREENSHOTS, or
// in the test's temporary directory.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("LAMBDALOG_SCREENSHOTS")
	if dir == "" {
		dir = b.t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	eval[chromedp.Void](b, `document.activeElement && document.activeElement.blur()`)
	time.Sleep(300 * time.Millisecond) // let transitions and highlights settle for the picture
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", path)
}
