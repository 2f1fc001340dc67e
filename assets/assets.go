// Package assets embeds NetDebug's icon and other resources, so the app
// never reads them from the working directory. icon.svg is the source;
// icon.png is rendered from it (rsvg-convert -w 512 -h 512 icon.svg -o icon.png).
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon.
var Icon = fyne.NewStaticResource("netdebug.png", iconPNG)
