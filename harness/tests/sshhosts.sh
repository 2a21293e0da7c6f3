# Two "real hosts" for the hosts-mode tests, sourced by 60-hosts.sh: two
# network namespaces, each running its own sshd (own config, host key and
# authorized key in a scratch directory; listening only on its namespace's
# management address; only the key made for the test is accepted), a
# management veth from the root namespace to each, and a shaped
# migration veth between the two.  Nothing of the system's sshd is used or
# changed.  The namespaces are named pvt60-* (not pvmig-*, which the
# harness treats as its own), addresses are in 198.19.60-63.0/24 (RFC 2544).
#
#   sshhosts_up DIR     sets SSHH_CONFIG (an ssh_config naming the hosts
#                       pvt60-src and pvt60-dst), SSHH_MIG_ADDR, SSHH_NS_SRC,
#                       SSHH_NS_DST; returns non-zero with a reason on stderr
#   sshhosts_down       stops both sshds, deletes namespaces and veths

SSHH_MIG_SRC=198.19.63.1
SSHH_MIG_ADDR=198.19.63.2

_sshh_ns() { ip netns exec "$1" "${@:2}"; }

sshhosts_up() {
	local dir=$1 i ns mgmt_root mgmt_ns veth_root veth_ns
	SSHH_DIR=$dir
	mkdir -p "$dir" || return 1
	SSHH_NS_SRC=pvt60-src-$$
	SSHH_NS_DST=pvt60-dst-$$
	SSHH_CONFIG=$dir/ssh_config
	[ -x /usr/sbin/sshd ] || { echo "no /usr/sbin/sshd (make deps installs openssh-server)" >&2; return 1; }
	# sshd's privilege separation directory; Debian's init script makes it.
	[ -d /run/sshd ] || mkdir -p -m 0755 /run/sshd
	ssh-keygen -q -t ed25519 -N '' -C pvmig-test -f "$dir/id" || return 1
	cp "$dir/id.pub" "$dir/authorized_keys"
	: > "$dir/known_hosts"
	: > "$SSHH_CONFIG"
	ip netns add "$SSHH_NS_SRC" && ip netns add "$SSHH_NS_DST" || return 1
	i=0
	for ns in "$SSHH_NS_SRC" "$SSHH_NS_DST"; do
		i=$((i + 1))
		mgmt_root=198.19.6$i.1 mgmt_ns=198.19.6$i.2
		veth_root=pvt60r$i-$$ veth_ns=pvt60n$i-$$
		veth_root=${veth_root:0:15} veth_ns=${veth_ns:0:15}
		ip link add "$veth_root" type veth peer name "$veth_ns" netns "$ns" || return 1
		ip addr add "$mgmt_root/24" dev "$veth_root"
		ip link set "$veth_root" up
		_sshh_ns "$ns" ip link set lo up
		_sshh_ns "$ns" ip addr add "$mgmt_ns/24" dev "$veth_ns"
		_sshh_ns "$ns" ip link set "$veth_ns" up
		ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key_$i" || return 1
		cat > "$dir/sshd_config_$i" <<-CFG
		ListenAddress $mgmt_ns:22
		HostKey $dir/host_key_$i
		PidFile $dir/sshd_$i.pid
		AuthorizedKeysFile $dir/authorized_keys
		AuthenticationMethods publickey
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		HostbasedAuthentication no
		PermitRootLogin prohibit-password
		AllowUsers root
		UsePAM no
		StrictModes no
		AllowStreamLocalForwarding local
		# OpenSSH 9.2 refuses Unix-socket forwards when TCP forwarding
		# is off, and PermitOpen (which could close TCP) applies to
		# socket paths too: local forwarding it is, for the test key.
		AllowTcpForwarding local
		AllowAgentForwarding no
		X11Forwarding no
		PermitTTY no
		MaxSessions 32
		MaxStartups 32
		CFG
		_sshh_ns "$ns" /usr/sbin/sshd -f "$dir/sshd_config_$i" -E "$dir/sshd_$i.log" || return 1
		echo "$mgmt_ns $(cut -d' ' -f1,2 "$dir/host_key_$i.pub")" >> "$dir/known_hosts"
		cat >> "$SSHH_CONFIG" <<-CFG
		Host pvt60-$( [ $i = 1 ] && echo src || echo dst)
		    HostName $mgmt_ns
		    User root
		    IdentityFile $dir/id
		    IdentitiesOnly yes
		    UserKnownHostsFile $dir/known_hosts
		    GlobalKnownHostsFile /dev/null
		    StrictHostKeyChecking yes
		    CheckHostIP no
		CFG
	done
	# Unknown names of the tests resolve nowhere and are refused here.
	cat >> "$SSHH_CONFIG" <<-CFG
	Host pvt60-badkey
	    HostName 198.19.62.2
	    User root
	    IdentityFile $dir/other_id
	    IdentitiesOnly yes
	    UserKnownHostsFile $dir/known_hosts
	    GlobalKnownHostsFile /dev/null
	    StrictHostKeyChecking yes
	CFG
	ssh-keygen -q -t ed25519 -N '' -f "$dir/other_id" || return 1
	# The migration link: a veth between the two namespaces, shaped in
	# both directions as the netns mode's is.
	ip link add pvt60m1-$$ netns "$SSHH_NS_SRC" type veth peer name pvt60m2-$$ netns "$SSHH_NS_DST" || return 1
	_sshh_ns "$SSHH_NS_SRC" ip addr add "$SSHH_MIG_SRC/24" dev pvt60m1-$$
	_sshh_ns "$SSHH_NS_DST" ip addr add "$SSHH_MIG_ADDR/24" dev pvt60m2-$$
	_sshh_ns "$SSHH_NS_SRC" ip link set pvt60m1-$$ up
	_sshh_ns "$SSHH_NS_DST" ip link set pvt60m2-$$ up
	_sshh_ns "$SSHH_NS_SRC" tc qdisc add dev pvt60m1-$$ root tbf rate 10gbit burst 10000000 latency 20ms
	_sshh_ns "$SSHH_NS_DST" tc qdisc add dev pvt60m2-$$ root tbf rate 10gbit burst 10000000 latency 20ms
	for _ in $(seq 1 50); do
		[ -s "$dir/sshd_1.pid" ] && [ -s "$dir/sshd_2.pid" ] && return 0
		sleep 0.1
	done
	echo "sshd did not start (see $dir/sshd_*.log)" >&2
	return 1
}

sshhosts_down() {
	local f ns
	for f in "$SSHH_DIR"/sshd_1.pid "$SSHH_DIR"/sshd_2.pid; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	for ns in "$SSHH_NS_SRC" "$SSHH_NS_DST"; do
		[ -e "/run/netns/$ns" ] || continue
		# Whatever still runs in it was started through its sshd by the
		# test; the harness should have stopped it (checked before).
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns"
	done
	# The root ends of the management veths go with their peers.
	return 0
}
