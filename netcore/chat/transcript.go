package chat

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteTranscript writes a conversation as plain UTF-8 text: a header,
// then one entry per message ("[2006-01-02 15:04:05] nick: text"), with the
// lines of a multi-line message indented, and a note under messages that
// failed, could not be delivered or held undecodable bytes. me names our
// side when a message has no nickname.
func (c *Chat) WriteTranscript(w io.Writer, key, me string) error {
	cv, ok := c.Conversation(key)
	if !ok {
		return ErrNoConversation
	}
	msgs := c.Messages(key)
	bw := bufio.NewWriter(w)
	title := cv.Title()
	if title != cv.Addr {
		title += " (" + cv.Addr + ")"
	}
	fmt.Fprintf(bw, "NetDebug chat with %s over %s, %s\n", title, strings.ToUpper(string(cv.Transport)), cv.Encoding)
	fmt.Fprintf(bw, "%d messages, exported %s\n\n", len(msgs), time.Now().Format("2006-01-02 15:04:05"))
	for _, m := range msgs {
		who := m.Nick
		switch {
		case m.Dir == Outgoing && who == "":
			who = me
		case m.Dir == Incoming && who == "":
			who = cv.Addr
		}
		if m.Dir == Outgoing {
			who = "→ " + who
		} else {
			who = "← " + who
		}
		lines := strings.Split(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n")
		fmt.Fprintf(bw, "[%s] %s: %s\n", m.Time.Format("2006-01-02 15:04:05"), who, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintf(bw, "    %s\n", l)
		}
		switch {
		case m.Status == StatusFailed:
			fmt.Fprintf(bw, "    (not sent: %s)\n", m.Note)
		case m.Status == StatusUndelivered:
			fmt.Fprintf(bw, "    (not delivered: %s)\n", m.Note)
		}
		if m.Undecodable {
			fmt.Fprintf(bw, "    (bytes not valid %s: % X)\n", m.Enc, m.Raw)
		}
	}
	return bw.Flush()
}
