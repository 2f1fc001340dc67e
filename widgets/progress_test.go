package widgets

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestTransferProgress(t *testing.T) {
	test.NewTempApp(t)
	p := NewTransferProgress()
	w := test.NewTempWindow(t, p)
	w.Resize(fyne.NewSize(500, 90))

	// Idle looks idle: a grey track, not Fyne's primary-tinted empty bar,
	// and a line saying so, at the height a transfer will take.
	idleSize := p.MinSize()
	if !p.Idle() || p.bar.Visible() || p.Text() != "No transfer yet" {
		t.Fatalf("idle: bar shown %v, text %q", p.bar.Visible(), p.Text())
	}
	test.AssertRendersToMarkup(t, "progress/idle.xml", w.Canvas())

	p.Set(22<<20, 50<<20, 80<<20, 1500*time.Millisecond)
	if p.MinSize().Height != idleSize.Height || p.Idle() || !p.bar.Visible() {
		t.Fatalf("a transfer changed the size from %v to %v (bar shown %v)", idleSize, p.MinSize(), p.bar.Visible())
	}
	if p.Text() != "44% · 22.0 MiB of 50.0 MiB · 80.0 MiB/s · 0:02 left" || p.Value() < 0.43 || p.Value() > 0.45 {
		t.Fatalf("known size: %q %v", p.Text(), p.Value())
	}
	test.AssertRendersToMarkup(t, "progress/known.xml", w.Canvas())

	// The size is unknown: the bar turns indeterminate and no ETA shows.
	p.Set(3<<20, -1, 1<<20, -1)
	if p.Text() != "3.0 MiB · 1.0 MiB/s" || p.Value() != -1 {
		t.Fatalf("unknown size: %q %v", p.Text(), p.Value())
	}
	p.Finish(true, "done")
	if p.Value() != 1 || p.Text() != "done" {
		t.Fatalf("finish: %q %v", p.Text(), p.Value())
	}
	test.AssertRendersToMarkup(t, "progress/done.xml", w.Canvas())
	p.Reset()
	if p.Value() != 0 || !p.Idle() || p.Text() != "No transfer yet" {
		t.Fatalf("reset: %v %q", p.Value(), p.Text())
	}
	if s := ProgressText(0, 0, 0, -1); s != "0 B" {
		t.Fatalf("empty: %q", s)
	}
}
