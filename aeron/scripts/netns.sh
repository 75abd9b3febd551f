#!/usr/bin/env bash
# A network namespace joined to the root namespace by a veth pair, for testing a balancer and a worker host that
# talk over a real (virtual) wire, with loss and delay added by tc netem. Needs root and iproute2 (ip, tc).
#
#   netns.sh up NAME               make namespace NAME, a veth pair vr-NAME (root end) / vn-NAME (NAME's end) with
#                                  addresses from a private /24 derived from NAME, both ends and NAME's loopback up;
#                                  removes a namespace and veth pair of the same name first; prints the addresses
#   netns.sh down NAME             remove the namespace and the veth pair (nothing to remove is not an error)
#   netns.sh addr NAME             print the addresses up would use, changing nothing
#   netns.sh netem NAME "ARGS"     add or change a netem qdisc with ARGS (e.g. "delay 20ms 5ms loss 2%") on both
#                                  ends, so each direction gets its own: egress of vr-NAME and egress of vn-NAME
#   netns.sh cut NAME              drop every frame both ways without netem: each end's neighbour entry for the
#                                  other end is pinned to a MAC address nobody has, so the other end discards the
#                                  frames (sends still succeed, as with netem loss 100%)
#   netns.sh clear NAME            remove netem and cut from both ends
#
# NAME: 1 to 12 letters, digits or '_' (a veth name has at most 15 characters). The addresses are
# ${FULCRUM_NETNS_PREFIX:-10.213}.N.1 (root end) and .N.2 (NAME's end), N from a hash of NAME; up refuses a
# subnet that another device already uses. Output of up and addr, one line:
#   name=NAME root_dev=vr-NAME root_addr=10.213.N.1 ns_dev=vn-NAME ns_addr=10.213.N.2 prefix=24
# Errors go to standard error, and the exit status is not 0.

set -u

PROG=netns.sh
UNUSED_MAC=02:00:00:00:00:01

die()
{
    echo "$PROG: $*" >&2
    exit 1
}

usage()
{
    sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

check_name()
{
    [[ "$1" =~ ^[A-Za-z0-9_]{1,12}$ ]] || die "NAME must be 1 to 12 letters, digits or '_': NAME=$1"
}

check_tools()
{
    [[ "$EUID" == 0 ]] || die "must run as root (ip netns and tc need CAP_SYS_ADMIN and CAP_NET_ADMIN): uid=$EUID"
    command -v ip > /dev/null || die "ip (iproute2) not found on PATH=$PATH"
    command -v tc > /dev/null || die "tc (iproute2) not found on PATH=$PATH"
}

set_addresses()
{
    local prefix i code hash=0
    for ((i = 0; i < ${#NAME}; i++))
    do
        printf -v code '%d' "'${NAME:i:1}"
        hash=$(((hash * 31 + code) % 65521))
    done
    prefix=${FULCRUM_NETNS_PREFIX:-10.213}
    [[ "$prefix" =~ ^[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "FULCRUM_NETNS_PREFIX must be two octets: $prefix"
    NET="$prefix.$((hash % 254 + 1))"
    ROOT_DEV="vr-$NAME"
    NS_DEV="vn-$NAME"
    ROOT_ADDR="$NET.1"
    NS_ADDR="$NET.2"
}

print_addresses()
{
    echo "name=$NAME root_dev=$ROOT_DEV root_addr=$ROOT_ADDR ns_dev=$NS_DEV ns_addr=$NS_ADDR prefix=24"
}

in_ns()
{
    ip netns exec "$NAME" "$@"
}

do_down()
{
    ip netns del "$NAME" 2> /dev/null         # takes vn-NAME, and with it its peer vr-NAME
    ip link del "$ROOT_DEV" 2> /dev/null      # a root end left without its peer
    return 0
}

do_up()
{
    local used out
    do_down
    read -r _ used _ < <(ip -4 -o addr show to "$NET.0/24")
    [[ -z "${used:-}" ]] || die "subnet $NET.0/24 is already used by device $used; choose another NAME or FULCRUM_NETNS_PREFIX"
    out=$(ip netns add "$NAME" 2>&1) ||
        die "ip netns add $NAME failed (no CAP_SYS_ADMIN, or /run/netns not writable, as in many containers): $out"
    if ! out=$(ip link add "$ROOT_DEV" type veth peer name "$NS_DEV" netns "$NAME" 2>&1) ||
        ! out=$(ip addr add "$ROOT_ADDR/24" dev "$ROOT_DEV" 2>&1) ||
        ! out=$(ip link set "$ROOT_DEV" up 2>&1) ||
        ! out=$(ip -n "$NAME" addr add "$NS_ADDR/24" dev "$NS_DEV" 2>&1) ||
        ! out=$(ip -n "$NAME" link set "$NS_DEV" up 2>&1) ||
        ! out=$(ip -n "$NAME" link set lo up 2>&1)
    then
        do_down
        die "could not make the veth pair $ROOT_DEV / $NS_DEV: $out"
    fi
    print_addresses
}

do_netem()
{
    local args="$1" out
    [[ -n "$args" ]] || die "netem needs its arguments, e.g. \"delay 20ms 5ms loss 2%\""
    # shellcheck disable=SC2086 # ARGS are netem's words
    out=$(tc qdisc replace dev "$ROOT_DEV" root netem $args 2>&1) ||
        die "tc could not put netem ($args) on $ROOT_DEV (a kernel without sch_netem says the qdisc kind is unknown): $out"
    # shellcheck disable=SC2086
    out=$(in_ns tc qdisc replace dev "$NS_DEV" root netem $args 2>&1) ||
        die "tc could not put netem ($args) on $NS_DEV in $NAME: $out"
}

do_cut()
{
    local out
    out=$(ip neigh replace "$NS_ADDR" lladdr "$UNUSED_MAC" dev "$ROOT_DEV" nud permanent 2>&1) ||
        die "could not pin the neighbour $NS_ADDR on $ROOT_DEV: $out"
    out=$(ip -n "$NAME" neigh replace "$ROOT_ADDR" lladdr "$UNUSED_MAC" dev "$NS_DEV" nud permanent 2>&1) ||
        die "could not pin the neighbour $ROOT_ADDR on $NS_DEV in $NAME: $out"
}

do_clear()
{
    tc qdisc del dev "$ROOT_DEV" root 2> /dev/null
    in_ns tc qdisc del dev "$NS_DEV" root 2> /dev/null
    ip neigh del "$NS_ADDR" dev "$ROOT_DEV" 2> /dev/null
    ip -n "$NAME" neigh del "$ROOT_ADDR" dev "$NS_DEV" 2> /dev/null
    return 0
}

[[ $# -ge 2 ]] || usage
COMMAND=$1
NAME=$2
check_name "$NAME"
set_addresses

case "$COMMAND" in
    addr)
        [[ $# -eq 2 ]] || usage
        print_addresses
        ;;
    up)
        [[ $# -eq 2 ]] || usage
        check_tools
        do_up
        ;;
    down)
        [[ $# -eq 2 ]] || usage
        check_tools
        do_down
        ;;
    netem)
        [[ $# -eq 3 ]] || usage
        check_tools
        do_netem "$3"
        ;;
    cut)
        [[ $# -eq 2 ]] || usage
        check_tools
        do_cut
        ;;
    clear)
        [[ $# -eq 2 ]] || usage
        check_tools
        do_clear
        ;;
    *)
        usage
        ;;
esac
