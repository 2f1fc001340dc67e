module github.com/netdebug/netdebug

go 1.26.0

require (
	fyne.io/fyne/v2 v2.7.1
	github.com/pin/tftp/v3 v3.2.0
	github.com/sqweek/dialog v0.0.0-20240226140203-065105509627
	golang.org/x/net v0.62.0
	golang.org/x/sys v0.49.0
	golang.org/x/text v0.43.0
)
