// Package chat is the engine behind the Chat tab: person-to-person messages
// over plain UDP datagrams (one message per datagram, in the conversation's
// text encoding), an optional TCP mode with one message per line, a
// conversation per peer address with bounded history persisted on disk, and
// opt-in discovery of other NetDebug instances on the LAN.
//
// The wire format is deliberately the one the classic programs speak: the
// Python chat programs of the seed notes (socket.sendto(text.encode(...))),
// the Windows network assistants (GB2312) and nc -u all interoperate, because
// a chat message is nothing but its encoded text. Only discovery adds a
// format of its own, the announce datagram (see Announce), built so that no
// typed message can be mistaken for one.
//
// Unreachable peers: on Linux the UDP socket sets IP_RECVERR/IPV6_RECVERR and
// drains the socket's error queue, which names the destination of the
// datagram an ICMP error was about and quotes its payload, so "port
// unreachable" becomes a delivery note on the exact message that bounced.
// Windows reports the error on the next read without saying for whom; it is
// attributed to the last destination. Other systems do not report ICMP errors
// to unconnected sockets; there a lost message simply stays "sent".
//
// chat must not import any UI package: it takes a plain directory for its
// history and reports changes through a callback that must not block.
package chat
