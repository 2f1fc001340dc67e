// Package automation is the socket-free core of NetDebug's automation:
// payload templates (counters, time, random bytes, inline hex, checksums),
// auto-reply rules, send sequences and quick-command sets, with the JSON
// files the GUI and the CLI (--rules, --sequence) share.
//
// It must not know about sockets or the UI: replies and sends go through
// functions the caller supplies, and anything that waits takes a context.
//
// # Templates
//
// A template is a codec.Payload whose text may contain placeholders. Text
// between placeholders is encoded in the payload's encoding (with \r \n \t
// \0 \\ \xHH when Escapes is on) or, in hex mode, parsed by codec.ParseHex.
// Placeholders produce the same bytes in both modes:
//
//	{{counter}}                  decimal text, 0, 1, 2, … (hex mode: one binary byte)
//	{{counter:start=1,step=2,width=4}}   0001, 0003, 0005 (width zero-pads, never truncates)
//	{{counter:hex,width=4}}      uppercase hex text: 0000, 0001, …
//	{{counter:bytes=2,le}}       binary, 1–8 bytes, big-endian unless le; wraps around
//	{{time}}                     2024-05-01 13:45:07 (local time)
//	{{time:FORMAT}}              strftime: %Y %y %m %d %e %H %I %M %S %p %j %a %A %b %B
//	                             %z %Z %s (Unix seconds) %L (milliseconds) %f (microseconds)
//	                             %F (%Y-%m-%d) %T (%H:%M:%S) %n %t %%
//	{{rand:N}}                   N random bytes (1–65536)
//	{{hex:01 02 0A}}             inline bytes, any codec.ParseHex form
//	{{open}}                     a literal "{{"
//	{{crc16modbus}}              a checksum of everything before it
//	{{NAME:from=A,to=B,le,be,ascii}}   a checksum over bytes A..B of the payload
//
// Checksum NAMEs are sum8, xor8, crc8 (CRC-8/SMBUS), crc16modbus,
// crc16ccitt (CRC-16/CCITT-FALSE), crc16xmodem and crc32 (CRC-32/ISO-HDLC).
// Offsets are 0-based byte positions in the final payload; to is exclusive;
// a negative offset counts back from the end of the payload (including the
// line ending); to=end means the end. By default from=0 and to is the
// checksum's own position. A range may lie after the checksum (a header CRC
// over the body) but may not cover the checksum's own bytes. le/be pick the
// byte order (default: low byte first for crc16modbus, as Modbus RTU sends
// it, high byte first for the others); ascii writes the value as uppercase
// hex digits. Example: "01 03 00 00 00 0A {{crc16modbus}}" in hex mode is
// 01 03 00 00 00 0A C5 CD.
//
// Each {{counter}} is its own counter. Template.Expand advances counters
// after a successful expansion; Template.Preview never does. Parameters may
// be decimal or 0x-prefixed hex. Errors are *TemplateError values with a
// 1-based character position, worded as the user would say it: "unknown
// placeholder "crc17" at position 12".
//
// Reply templates also take capture references: $1 … $N, ${name}, ${N}, $0
// (the whole match) and $$ (a dollar sign). A capture inserts the received
// bytes it matched, exactly (see Rule).
//
// # Rules file (--rules)
//
// Rules are tried in order; the first enabled rule that matches replies and
// the rest are skipped. Match modes: exact, contains, prefix (pattern is
// text in the rule's encoding, or hex with pattern_hex), regex (Go RE2 over
// the data decoded in the rule's encoding) and regex-hex (over the spaced
// uppercase hex form "50 49 4E 47"). Omitted fields take their zero value:
// enabled, no delay, UTF-8 (or the tab's encoding), no line ending, and the
// default rate limit of 10 replies per second with a burst of 10.
//
//	{
//	  "version": 1,
//	  "rules": [
//	    {
//	      "name": "heartbeat",
//	      "match": "regex",
//	      "pattern": "PING (\\d+)",
//	      "reply": "PONG $1{{crc16modbus}}",
//	      "delay_ms": 0,
//	      "max_per_second": 10,
//	      "burst": 10
//	    },
//	    {
//	      "name": "modbus read",
//	      "disabled": true,
//	      "match": "prefix",
//	      "pattern": "01 03",
//	      "pattern_hex": true,
//	      "reply": "01 03 02 00 2A {{crc16modbus}}",
//	      "reply_hex": true
//	    },
//	    {
//	      "name": "greeting",
//	      "match": "contains",
//	      "pattern": "你好",
//	      "encoding": "GB2312",
//	      "escapes": true,
//	      "reply": "收到\\r\\n",
//	      "line_ending": "none"
//	    }
//	  ]
//	}
//
// # Sequence file (--sequence)
//
// delay_ms is the pause after a step. "repeat" runs the steps N times
// (default once); "forever": true loops until stopped and needs at least
// one non-zero delay.
//
//	{
//	  "version": 1,
//	  "name": "poll",
//	  "repeat": 3,
//	  "steps": [
//	    {"name": "read", "text": "01 03 00 00 00 0A {{crc16modbus}}", "hex": true, "delay_ms": 500},
//	    {"text": "seq={{counter:width=4}}", "encoding": "UTF-8", "line_ending": "crlf", "delay_ms": 1000}
//	  ]
//	}
//
// # Quick commands file
//
//	{
//	  "version": 1,
//	  "commands": [
//	    {"name": "Read registers", "text": "01 03 00 00 00 0A {{crc16modbus}}", "hex": true},
//	    {"name": "Hello", "text": "你好", "encoding": "GB2312", "line_ending": "crlf"},
//	    {"name": "AT", "text": "AT\\r", "escapes": true}
//	  ]
//	}
//
// Every file needs "version": 1. Unknown fields, malformed JSON, a newer
// version, an invalid regular expression or template are refused with a
// message naming the rule, step or command (and a line and column for JSON
// syntax errors).
package automation
