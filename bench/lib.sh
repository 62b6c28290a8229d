# bench/lib.sh -- what the benchmark scripts share, sourced after `set -u` with the
# script's name in $me:
#
#   me=study.sh
#   . "$here/lib.sh"
#
#   die MSG...            print "$me: MSG" on stderr, exit 1
#   find_winit            $winit: as given (-w / $WINIT), else ./winit, else winit on PATH;
#                         made absolute
#   find_torch_python     $python: as given (-p / $PYTHON), else the first of python3,
#                         /usr/bin/python3 that imports torch; $have_torch: yes or no
#   need_gnu_time         $gnu_time: GNU time (/usr/bin/time -f), or die saying how to get it
#   make_work DIR TAG     $work: DIR (created) when given, else a temporary directory
#                         (winit-TAG.XXXXXX) removed on exit
#   timed TAG CMD...      run CMD with GNU time, output in $work/TAG.log; sets $wall (s),
#                         $rss (peak KiB) and $cpu (user + system s); dies if CMD fails
#   median X...           the median of the numbers
#   calc EXPR             an awk expression, printed with %.6g
#   verdict VALUE OP TARGET   "met" or "NOT met"
# Word splitting of the numbers is intended.
# shellcheck disable=SC2046,SC2086,SC2154

die()
{
	echo "$me: $*" >&2
	exit 1
}

find_winit()
{
	if [ -z "$winit" ]; then
		if [ -x ./winit ]; then
			winit=./winit
		else
			winit=$(command -v winit) || die "no winit program: build it, or pass -w WINIT"
		fi
	fi
	[ -f "$winit" ] && [ -x "$winit" ] || die "$winit: not an executable file"
	case $winit in /*) ;; */*) winit=$(cd "$(dirname "$winit")" && pwd)/$(basename "$winit") ;; esac
}

find_torch_python()
{
	have_torch=no
	if [ -n "$python" ]; then
		"$python" -c 'import torch' 2>/dev/null && have_torch=yes
	else
		for p in python3 /usr/bin/python3; do
			if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import torch' 2>/dev/null; then
				python=$p
				have_torch=yes
				break
			fi
		done
		[ -n "$python" ] || python=python3
	fi
}

need_gnu_time()
{
	gnu_time=/usr/bin/time
	"$gnu_time" -f '%e %M' -o /dev/null true 2>/dev/null ||
		die "GNU time (/usr/bin/time with -f) is needed: apt-get install time"
}

make_work()
{
	if [ -n "$1" ]; then
		mkdir -p "$1" || die "cannot create $1"
		work=$(cd "$1" && pwd)
	else
		work=$(mktemp -d "${TMPDIR:-/tmp}/winit-$2.XXXXXX") || die "mktemp failed"
		trap 'rm -rf "$work"' EXIT
		trap 'exit 130' INT TERM
	fi
}

timed()
{
	tag=$1
	shift
	if ! "$gnu_time" -f '%e %M %U %S' -o "$work/$tag.time" "$@" >"$work/$tag.log" 2>&1; then
		echo "$me: failed: $*" >&2
		tail -n 20 "$work/$tag.log" >&2
		exit 1
	fi
	set -- $(tail -n 1 "$work/$tag.time")
	wall=$1
	rss=$2
	cpu=$(calc "$3 + $4")
}

median()
{
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

calc()
{
	awk "BEGIN { printf \"%.6g\", $1 }"
}

verdict()
{
	if awk "BEGIN { exit !($1 $2 $3) }"; then echo "met"; else echo "NOT met"; fi
}
