package netinfo

import (
	"strconv"
	"strings"
	"sync"
)

// builtinServices is the fallback for systems without a services file, and
// for services the system file lacks (Windows' file has no mysql). Names and
// ports follow the IANA registry; the aliases are the names people type.
// Format: "name port/proto[,proto] [aliases...]".
const builtinServices = `
echo 7/tcp,udp
discard 9/tcp,udp
daytime 13/tcp,udp
ftp-data 20/tcp
ftp 21/tcp
ssh 22/tcp
telnet 23/tcp
smtp 25/tcp mail
time 37/tcp,udp
whois 43/tcp nicname
tacacs 49/tcp,udp
domain 53/tcp,udp dns
bootps 67/udp dhcp
bootpc 68/udp
tftp 69/udp
gopher 70/tcp
finger 79/tcp
http 80/tcp www
kerberos 88/tcp,udp
iso-tsap 102/tcp s7
pop3 110/tcp pop-3
sunrpc 111/tcp,udp portmapper rpcbind
auth 113/tcp ident
nntp 119/tcp
ntp 123/udp
epmap 135/tcp,udp loc-srv
netbios-ns 137/tcp,udp
netbios-dgm 138/udp
netbios-ssn 139/tcp
imap 143/tcp imap2
snmp 161/udp
snmptrap 162/udp snmp-trap
bgp 179/tcp
irc 194/tcp
ldap 389/tcp,udp
https 443/tcp,udp
microsoft-ds 445/tcp smb
kpasswd 464/tcp,udp
submissions 465/tcp smtps ssmtp
isakmp 500/udp ike
mbap 502/tcp modbus
syslog 514/udp
printer 515/tcp spooler lpd
rtsp 554/tcp,udp
submission 587/tcp
ipp 631/tcp
ldaps 636/tcp
rsync 873/tcp
ftps-data 989/tcp
ftps 990/tcp
imaps 993/tcp
pop3s 995/tcp
socks 1080/tcp
openvpn 1194/tcp,udp
ms-sql-s 1433/tcp mssql
ms-sql-m 1434/udp
pptp 1723/tcp
radius 1812/udp
radius-acct 1813/udp
mqtt 1883/tcp
nfs 2049/tcp,udp
docker 2375/tcp
docker-s 2376/tcp
EtherNet-IP-1 2222/udp
mysql 3306/tcp
ms-wbt-server 3389/tcp rdp
svn 3690/tcp
opcua-tcp 4840/tcp opcua
sip 5060/tcp,udp
sip-tls 5061/tcp
xmpp-client 5222/tcp
mdns 5353/udp
postgresql 5432/tcp postgres
amqp 5672/tcp
coap 5683/udp
rfb 5900/tcp vnc
x11 6000/tcp
redis 6379/tcp
http-alt 8080/tcp webcache
secure-mqtt 8883/tcp mqtts
memcache 11211/tcp,udp memcached
dnp 20000/tcp,udp
mongodb 27017/tcp
EtherNet-IP-2 44818/tcp,udp
bacnet 47808/udp
`

var builtinDB = sync.OnceValue(func() *ServiceDB {
	db := &ServiceDB{Source: BuiltinSource}
	for _, line := range strings.Split(builtinServices, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		p, protos, _ := strings.Cut(f[1], "/")
		port, err := strconv.Atoi(p)
		if err != nil {
			panic("netinfo: bad built-in service line: " + line)
		}
		for _, proto := range strings.Split(protos, ",") {
			db.entries = append(db.entries, Service{Name: f[0], Port: port, Proto: proto, Aliases: f[2:], Source: BuiltinSource})
		}
	}
	return db
})

// BuiltinServices is the built-in table of common services.
func BuiltinServices() *ServiceDB { return builtinDB() }
