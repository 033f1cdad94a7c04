#!/bin/bash
# A Cyrus 3.6 murder (two backends, one frontend with its mupdate slave) from Debian's packages, pointed at
# an external MUPDATE master: the Corvid under test. For the interoperability tests only; loopback only.
#
#   cyrus-murder.sh up   DIR MUPDATE_HOST:PORT MUPDATE_USER MUPDATE_PASSWORD
#   cyrus-murder.sh down DIR
#   cyrus-murder.sh master DIR         a Cyrus MUPDATE master alone (mupdate -m) on 127.0.0.1:16905
#   cyrus-murder.sh master-reset DIR   restarts that master with an empty list
#
# Needs root (a private mount namespace gives the Cyrus processes their own /etc/hosts, /etc/services and
# /dev/log) and the packages cyrus-imapd cyrus-murder cyrus-clients sasl2-bin libsasl2-modules.
# Ports 16000-16999 (clear of a running Corvid, Corvid's test server and the 14000-14999 reference lab):
#   frontend IMAP 16143, LMTP 16024, mupdate slave 16906
#   backend1 IMAP 127.0.0.1:16311, backend2 IMAP 127.0.0.1:16321
#   murder-facing imap/lmtp services 16201/16202 on 127.0.0.21 (backend1) and 127.0.0.22 (backend2)
# SASL users on the Cyrus side (password "secret"): cyrus and murder (admins), alice, bob.
set -euo pipefail
cmd=${1:?up|down}; DIR=${2:?directory}
BIN=/usr/lib/cyrus/bin; MASTER=/usr/sbin/cyrmaster; PW=secret
FE_IMAP=16143; FE_LMTP=16024; FE_MUPD=16906; SVC_IMAP=16201; SVC_LMTP=16202
B1_IP=127.0.0.21; B1_IMAP=16311; B2_IP=127.0.0.22; B2_IMAP=16321

down() {
  for i in frontend backend1 backend2 master; do
    f=$DIR/run/$i.pid; [ -f "$f" ] || continue
    p=$(cat "$f"); rm -f "$f"
    if kill -0 "$p" 2>/dev/null && tr '\0' ' ' </proc/$p/cmdline | grep -q "cyrmaster -C $DIR/"; then
      kill -TERM "$p"; for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  if [ -f "$DIR/run/syslogd.pid" ]; then kill "$(cat "$DIR/run/syslogd.pid")" 2>/dev/null || true; rm -f "$DIR/run/syslogd.pid"; fi
}
if [ "$cmd" = down ]; then down; exit 0; fi

start_syslog() { # Cyrus logs to syslog: a unix datagram socket read into logs/syslog.log
cat > "$DIR/syslogd.py" <<'EOF'
import os, socket, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(path); os.chmod(path, 0o666)
with open(log, 'ab', buffering=0) as f:
    while True:
        f.write(s.recv(65536).rstrip(b'\n\x00') + b'\n')
EOF
nohup python3 "$DIR/syslogd.py" "$DIR/run/log.sock" "$DIR/logs/syslog.log" >/dev/null 2>&1 &
echo $! > "$DIR/run/syslogd.pid"
for _ in $(seq 50); do [ -S "$DIR/run/log.sock" ] && break; sleep 0.1; done
}

# What a private mount namespace runs first: its own /dev, with /dev/log on our syslog socket.
ns_preamble() {
cat <<EOF
#!/bin/bash
set -e
if mount -t tmpfs -o mode=755 corvidtestdev /dev 2>/dev/null; then
  mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5; mknod -m 666 /dev/random c 1 8
  mknod -m 666 /dev/urandom c 1 9; mknod -m 666 /dev/tty c 5 0
  ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout
  ln -s /proc/self/fd/2 /dev/stderr; mkdir /dev/shm /dev/pts; mount -t tmpfs -o mode=1777 corvidtestshm /dev/shm
  ln -s $DIR/run/log.sock /dev/log
fi
waitport() { for i in \$(seq 100); do (exec 3<>/dev/tcp/\$1/\$2) 2>/dev/null && return 0; sleep 0.2; done; echo "port \$1:\$2 not up" >&2; return 1; }
start() { $MASTER -C $DIR/\$1/imapd.conf -M $DIR/\$1/cyrus.conf -p $DIR/run/\$1.pid -d -L $DIR/logs/\$1.master.out; }
EOF
}

MASTER_PORT=16905
if [ "$cmd" = master-reset ]; then
  f=$DIR/run/master.pid; p=$(cat "$f"); rm -f "$f"
  kill -TERM "$p"; for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$p" 2>/dev/null || true
  rm -rf "$DIR/master/conf/mailboxes.db" "$DIR/master/conf/db"/*
  unshare --mount --propagation private "$DIR/run/ns-master.sh"
  echo "master restarted, empty list: 127.0.0.1:$MASTER_PORT"; exit 0
fi
if [ "$cmd" = master ]; then
  [ -x $BIN/mupdate ] || { echo "missing $BIN/mupdate (apt-get install cyrus-murder)" >&2; exit 3; }
  down
  rm -rf "$DIR"; mkdir -p "$DIR"/{run,logs}; chmod 755 "$DIR"
  start_syslog
  D=$DIR/master; mkdir -p "$D"/conf/{socket,proc,lock,log,db} "$D"/spool
  cat > "$D/imapd.conf" <<EOF
configdirectory: $D/conf
partition-default: $D/spool
servername: mupdate-master
syslog_prefix: corvid-test-master
admins: cyrus murder
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $DIR/sasldb2
sasl_mech_list: PLAIN LOGIN
allowplaintext: yes
EOF
  cat > "$D/cyrus.conf" <<EOF
START {
  recover cmd="ctl_cyrusdb -r -C $D/imapd.conf"
}
SERVICES {
  mupdate cmd="mupdate -m -C $D/imapd.conf" listen="127.0.0.1:$MASTER_PORT" prefork=1
}
EVENTS {
}
DAEMON {
}
EOF
  for realm in mupdate-master "$(hostname)"; do
    for u in cyrus murder; do echo "$PW" | saslpasswd2 -f "$DIR/sasldb2" -p -c -u "$realm" "$u"; done
  done
  chown -R cyrus:mail "$D" "$DIR"/{run,logs} "$DIR/sasldb2"; chmod 640 "$DIR/sasldb2"
  { ns_preamble; echo "start master; waitport 127.0.0.1 $MASTER_PORT"; } > "$DIR/run/ns-master.sh"
  chmod 755 "$DIR/run/ns-master.sh"
  unshare --mount --propagation private "$DIR/run/ns-master.sh"
  echo "master up: 127.0.0.1:$MASTER_PORT pid $(cat "$DIR/run/master.pid")"; exit 0
fi
[ "$cmd" = up ] || { echo "usage: $0 up|down|master|master-reset DIR ..." >&2; exit 2; }
TARGET=${3:?mupdate host:port}; MUSER=${4:?mupdate user}; MPW=${5:?mupdate password}
for f in $MASTER $BIN/imapd $BIN/mupdate /usr/sbin/saslpasswd2; do
  [ -x "$f" ] || { echo "missing $f (apt-get install cyrus-imapd cyrus-murder cyrus-clients sasl2-bin)" >&2; exit 3; }
done
down
rm -rf "$DIR"; mkdir -p "$DIR"/{run,logs,etc}; chmod 755 "$DIR"

{ echo "imap $SVC_IMAP/tcp"; echo "lmtp $SVC_LMTP/tcp"; echo "mupdate ${TARGET##*:}/tcp"
  grep -v -E '^(imap|imap2|lmtp|mupdate)[[:space:]]' /etc/services; } > "$DIR/etc/services"
{ cat /etc/hosts; echo "127.0.0.1 frontend"; echo "$B1_IP backend1"; echo "$B2_IP backend2"; } > "$DIR/etc/hosts"

start_syslog

conf() { # $1 name: imapd.conf of an instance talking to the external master
  local D=$DIR/$1
  mkdir -p "$D"/conf/{socket,proc,lock,log,db} "$D"/spool "$D"/sieve
  cat <<EOF
configdirectory: $D/conf
partition-default: $D/spool
servername: $1
syslog_prefix: corvid-test-$1
admins: cyrus murder
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $DIR/sasldb2
sasl_mech_list: PLAIN LOGIN
allowplaintext: yes
unixhierarchysep: no
altnamespace: no
lmtpsocket: $D/conf/socket/lmtp
idlesocket: $D/conf/socket/idle
notifysocket: $D/conf/socket/notify
sievedir: $D/sieve
mupdate_server: ${TARGET%:*}
mupdate_port: ${TARGET##*:}
mupdate_username: $MUSER
mupdate_authname: $MUSER
mupdate_password: $MPW
proxy_authname: murder
proxy_password: $PW
EOF
}
for b in 1 2; do
  n=backend$b; eval IP=\$B${b}_IP IMAP=\$B${b}_IMAP
  { conf $n; echo "proxyservers: murder"; echo "lmtp_admins: murder"; } > "$DIR/$n.imapd.conf"
  mv "$DIR/$n.imapd.conf" "$DIR/$n/imapd.conf"
  cat > "$DIR/$n/cyrus.conf" <<EOF
START {
  recover cmd="ctl_cyrusdb -r -C $DIR/$n/imapd.conf"
  mupdatepush cmd="ctl_mboxlist -m -C $DIR/$n/imapd.conf"
}
SERVICES {
  imap cmd="imapd -C $DIR/$n/imapd.conf" listen="$IP:$SVC_IMAP" prefork=1
  lmtp cmd="lmtpd -C $DIR/$n/imapd.conf" listen="$IP:$SVC_LMTP" prefork=0
  imaplocal cmd="imapd -C $DIR/$n/imapd.conf" listen="127.0.0.1:$IMAP" prefork=1
}
EVENTS {
}
DAEMON {
}
EOF
done
{ conf frontend; echo "serverlist: backend1 backend2"; echo "serverlist_select_mode: random"; } > "$DIR/frontend.imapd.conf"
mv "$DIR/frontend.imapd.conf" "$DIR/frontend/imapd.conf"
cat > "$DIR/frontend/cyrus.conf" <<EOF
START {
  recover cmd="ctl_cyrusdb -r -C $DIR/frontend/imapd.conf"
}
SERVICES {
  mupdate cmd="mupdate -C $DIR/frontend/imapd.conf" listen="127.0.0.1:$FE_MUPD" prefork=1
  imap cmd="imapd -C $DIR/frontend/imapd.conf" listen="127.0.0.1:$FE_IMAP" prefork=1
  lmtp cmd="lmtpd -C $DIR/frontend/imapd.conf" listen="127.0.0.1:$FE_LMTP" prefork=0
}
EVENTS {
}
DAEMON {
}
EOF
for realm in frontend backend1 backend2 "$(hostname)"; do
  for u in cyrus murder alice bob; do echo "$PW" | saslpasswd2 -f "$DIR/sasldb2" -p -c -u "$realm" "$u"; done
done
chown -R cyrus:mail "$DIR"/{frontend,backend1,backend2,run,logs} "$DIR/sasldb2"; chmod 640 "$DIR/sasldb2"

{ ns_preamble; cat <<EOF
mount --bind $DIR/etc/services /etc/services
mount --bind $DIR/etc/hosts /etc/hosts
start backend1; start backend2
waitport $B1_IP $SVC_IMAP; waitport $B2_IP $SVC_IMAP; waitport 127.0.0.1 $B1_IMAP; waitport 127.0.0.1 $B2_IMAP
start frontend; waitport 127.0.0.1 $FE_IMAP
EOF
} > "$DIR/run/ns-start.sh"
chmod 755 "$DIR/run/ns-start.sh"
unshare --mount --propagation private "$DIR/run/ns-start.sh"
echo "up: backend1=$(cat "$DIR/run/backend1.pid") backend2=$(cat "$DIR/run/backend2.pid") frontend=$(cat "$DIR/run/frontend.pid") master=$TARGET"
