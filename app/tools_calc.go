package main

import (
	"fmt"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/netdebug/netdebug/netcore/netinfo"
)

// The calculators answer as you type: they only compute, so they run on
// the UI goroutine.

// convertTool is "Address converter": an address in any form, out in all.
type convertTool struct {
	input   *widget.Entry
	fields  *fieldList
	status  statusLabel
	copier  *toolCopier
	content fyne.CanvasObject
	addr    *netinfo.Address
}

func (t *toolsTab) newConvertTool() *convertTool {
	ct := &convertTool{status: newStatusLabel()}
	ct.copier = t.newCopier(func() string {
		if ct.addr == nil {
			return ""
		}
		return ct.addr.Text()
	})
	ct.fields = newFieldList(ct.copier.copy)
	ct.input = widget.NewEntry()
	ct.input.SetPlaceHolder("192.168.1.2, 3232235778, 0xC0A80102, C0 A8 01 02, 2001:db8::1")
	ct.input.OnChanged = func(s string) {
		t.p.setStr(prefToolsConvert, strings.TrimSpace(s))
		ct.update()
	}
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(tr("Address")), nil, ct.input),
		toolHint(tr(`Any one form in: IPv4 dotted (192.168.1.2), 32-bit integer (3232235778), hex (0xC0A80102, or 0x and 32 digits for IPv6), bytes in network order (C0 A8 01 02, c0:a8:01:02, b'\xc0\xa8\x01\x02'), IPv6 compressed or expanded, with an optional %zone or [brackets]. The legacy short forms (127.1, octal 0177.0.0.1) are refused on purpose.`)),
	)
	ct.content = toolPage(top, ct.status, ct.fields.scroll, ct.copier.bar())
	ct.input.SetText(t.p.str(prefToolsConvert, "192.168.1.2"))
	ct.update()
	return ct
}

func (ct *convertTool) update() {
	if strings.TrimSpace(ct.input.Text) == "" {
		ct.show(nil)
		ct.status.info(tr("Type an address in any form."))
		return
	}
	a, err := netinfo.ParseAddress(ct.input.Text)
	if err != nil {
		ct.show(nil)
		ct.status.fail(err)
		return
	}
	ct.show(&a)
	ct.status.ok(trf("Read as {{.Form}}", map[string]any{"Form": tr(a.Form.String())}))
}

func (ct *convertTool) show(a *netinfo.Address) {
	ct.addr = a
	if a == nil {
		ct.fields.set(nil)
	} else {
		ct.fields.set(a.Fields())
	}
	ct.copier.enable(a != nil)
}

// byteOrderTool is "Byte order": a 16- or 32-bit value in host and
// network order, with the bytes as they lie in memory.
type byteOrderTool struct {
	value   *widget.Entry
	width   *widget.RadioGroup
	fields  *fieldList
	memory  *fyne.Container
	status  statusLabel
	copier  *toolCopier
	content fyne.CanvasObject
	result  *netinfo.ByteOrderResult
}

func (t *toolsTab) newByteOrderTool() *byteOrderTool {
	bt := &byteOrderTool{status: newStatusLabel()}
	bt.copier = t.newCopier(func() string {
		if bt.result == nil {
			return ""
		}
		return bt.result.Text()
	})
	bt.fields = newFieldList(bt.copier.copy)
	bt.memory = container.New(layout.NewFormLayout())
	auto, w16, w32 := tr("Auto"), tr("16-bit"), tr("32-bit")
	bt.width = widget.NewRadioGroup([]string{auto, w16, w32}, func(s string) {
		bits := map[string]int{auto: 0, w16: 16, w32: 32}[s]
		t.p.setInt(prefToolsOrderBits, bits)
		bt.update()
	})
	bt.width.Horizontal = true
	bt.width.Required = true
	bt.value = widget.NewEntry()
	bt.value.SetPlaceHolder("4660, 0x1234, 0xC0A80102")
	bt.value.OnChanged = func(s string) {
		t.p.setStr(prefToolsOrderValue, strings.TrimSpace(s))
		bt.update()
	}
	arch := map[string]any{"Arch": runtime.GOARCH}
	about := trf("This machine ({{.Arch}}) is little-endian: the lowest byte of a number sits at the lowest address. Network byte order is big-endian: the highest byte goes first on the wire, so htons and htonl swap the bytes here.", arch)
	if netinfo.HostEndian() == netinfo.BigEndian {
		about = trf("This machine ({{.Arch}}) is big-endian: the highest byte of a number sits at the lowest address, as in network byte order, so htons and htonl change nothing here.", arch)
	}
	machine := widget.NewLabel(about)
	machine.Wrapping = fyne.TextWrapWord
	machine.TextStyle.Bold = true
	top := container.NewVBox(
		machine,
		container.NewBorder(nil, nil, widget.NewLabel(tr("Value")), bt.width, bt.value),
		toolHint(tr("Decimal (4660) or hex with 0x (0x1234); Auto takes 16 bits when the value fits.")),
	)
	body := container.NewBorder(container.NewPadded(bt.memory), nil, nil, nil, bt.fields.scroll)
	bt.content = toolPage(top, bt.status, body, bt.copier.bar())
	switch t.p.integer(prefToolsOrderBits, 0) {
	case 16:
		bt.width.SetSelected(w16)
	case 32:
		bt.width.SetSelected(w32)
	default:
		bt.width.SetSelected(auto)
	}
	bt.value.SetText(t.p.str(prefToolsOrderValue, "0x1234"))
	bt.update()
	return bt
}

func (bt *byteOrderTool) bits() int {
	switch bt.width.Selected {
	case tr("16-bit"):
		return 16
	case tr("32-bit"):
		return 32
	}
	return 0
}

func (bt *byteOrderTool) update() {
	if bt.value == nil {
		return // the radio group fires while the tool is being built
	}
	bt.result = nil
	bt.memory.RemoveAll()
	if strings.TrimSpace(bt.value.Text) == "" {
		bt.fields.set(nil)
		bt.copier.enable(false)
		bt.status.info(tr("Type a value."))
		return
	}
	r, err := netinfo.ParseByteOrder(bt.value.Text, bt.bits())
	if err != nil {
		bt.fields.set(nil)
		bt.copier.enable(false)
		bt.status.fail(err)
		return
	}
	bt.result = &r
	bt.fields.set(r.Fields())
	bt.copier.enable(true)
	bt.status.ok(trf("{{.Bits}}-bit value", map[string]any{"Bits": r.Bits}))

	// The bytes in memory, lowest address first, for both orders.
	head := container.NewHBox()
	for i := range r.HostBytes {
		head.Add(byteCell(fmt.Sprintf("+%d", i), false))
	}
	bt.memory.Add(widget.NewLabel(tr("Address offset")))
	bt.memory.Add(head)
	rowOf := func(label string, b []byte) {
		row := container.NewHBox()
		for _, x := range b {
			row.Add(byteCell(fmt.Sprintf("%02X", x), true))
		}
		bt.memory.Add(widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		bt.memory.Add(row)
	}
	rowOf(trf("Host order ({{.Order}})", map[string]any{"Order": tr(r.Host.String())}), r.HostBytes)
	rowOf(tr("Network order (big-endian)"), r.NetworkBytes)
	bt.memory.Refresh()
}

// byteCell is one byte drawn as a memory cell.
func byteCell(text string, boxed bool) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	size := fyne.NewSize(52, l.MinSize().Height)
	if !boxed {
		l.Importance = widget.LowImportance
		return container.NewGridWrap(size, l)
	}
	r := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	r.StrokeColor = theme.Color(theme.ColorNameForeground)
	r.StrokeWidth = 1
	r.CornerRadius = 3
	return container.NewGridWrap(size, container.NewStack(r, l))
}

// subnetTool is "Subnet calculator": CIDR, or an address and a mask.
type subnetTool struct {
	addr    *widget.Entry
	mask    *widget.Entry
	fields  *fieldList
	status  statusLabel
	copier  *toolCopier
	content fyne.CanvasObject
	subnet  *netinfo.Subnet
}

func (t *toolsTab) newSubnetTool() *subnetTool {
	st := &subnetTool{status: newStatusLabel()}
	st.copier = t.newCopier(func() string {
		if st.subnet == nil {
			return ""
		}
		return st.subnet.Text()
	})
	st.fields = newFieldList(st.copier.copy)
	st.addr = widget.NewEntry()
	st.addr.SetPlaceHolder("192.168.1.10/24, 10.0.0.1 255.0.0.0, 2001:db8::/64")
	st.mask = widget.NewEntry()
	st.mask.SetPlaceHolder(tr("24, /24 or 255.255.255.0"))
	changed := func(string) {
		t.p.setStr(prefToolsSubnetAddr, strings.TrimSpace(st.addr.Text))
		t.p.setStr(prefToolsSubnetMask, strings.TrimSpace(st.mask.Text))
		st.update()
	}
	st.addr.OnChanged = changed
	st.mask.OnChanged = changed
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(tr("Address or CIDR")),
			container.NewHBox(widget.NewLabel(tr("Mask (optional)")), fixedWidth(st.mask, 200)),
			st.addr),
		toolHint(tr("CIDR in the first field (192.168.1.10/24, 2001:db8::1/64), or an address there and the mask here as a prefix length (24) or dotted (255.255.255.0). IPv4 /31 links have two hosts and no broadcast (RFC 3021); IPv6 has no broadcast at all.")),
	)
	st.content = toolPage(top, st.status, st.fields.scroll, st.copier.bar())
	st.addr.SetText(t.p.str(prefToolsSubnetAddr, "192.168.1.10/24"))
	st.mask.SetText(t.p.str(prefToolsSubnetMask, ""))
	st.update()
	return st
}

func (st *subnetTool) update() {
	addr, mask := strings.TrimSpace(st.addr.Text), strings.TrimSpace(st.mask.Text)
	var (
		sn  netinfo.Subnet
		err error
	)
	switch {
	case addr == "" && mask == "":
		st.show(nil)
		st.status.info(tr("Type a subnet: 192.168.1.10/24, or an address and a mask."))
		return
	case mask == "":
		sn, err = netinfo.ParseSubnet(addr)
	default:
		if strings.ContainsAny(addr, "/ ") {
			err = fmt.Errorf("%w: %s", netinfo.ErrInvalidSubnet, tr("the address already has a mask; clear the mask field, or type the address alone"))
			break
		}
		sn, err = netinfo.SubnetFromMask(addr, mask)
	}
	if err != nil {
		st.show(nil)
		st.status.fail(err)
		return
	}
	st.show(&sn)
	st.status.ok(sn.Prefix.String())
}

func (st *subnetTool) show(sn *netinfo.Subnet) {
	st.subnet = sn
	if sn == nil {
		st.fields.set(nil)
	} else {
		st.fields.set(sn.Fields())
	}
	st.copier.enable(sn != nil)
}
