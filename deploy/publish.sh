#!/bin/sh
# Builds bsmtrace for installing, into OUTDIR, as one of:
#
#   native    compiled ahead of time (NativeAOT) for this machine: one file that
#             needs no .NET runtime, starts in milliseconds and runs fastest.
#             Needs clang and the ILCompiler package for this machine's runtime
#             identifier (nuget.org has them for Linux and macOS).
#   portable  framework-dependent: runs on the host's .NET 10 or any later
#             major version (RollForward=Major), which is how FreeBSD ships
#             .NET (pkg install dotnet).
#
# The default, auto, is native on Linux and macOS where clang is on PATH, and
# portable elsewhere; if the native build fails it says why and builds the
# portable one. Naming native makes its failure the script's.
#
#   deploy/publish.sh OUTDIR [auto|native|portable]
set -eu

[ $# -ge 1 ] || { echo "usage: deploy/publish.sh OUTDIR [auto|native|portable]" >&2; exit 1; }
out=$1
kind=${2:-auto}
here=$(cd "$(dirname "$0")/.." && pwd)
project=$here/src/BsmTrace.Service

case "$kind" in
auto|native|portable) ;;
*) echo "publish.sh: the build is auto, native or portable, not '$kind'" >&2; exit 1 ;;
esac
# A build over an earlier one would leave its files beside the new ones (a portable build's
# bsmtrace.dll beside a native executable), and install.sh would take the wrong one.
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
	echo "publish.sh: $out is not empty; give a new or empty directory" >&2
	exit 1
fi

portable() {
	echo "Building bsmtrace (portable: framework-dependent, Release) ..."
	dotnet publish "$project" -c Release -o "$out" --nologo -v q -p:DebugType=none
}

native() {
	# The SDK's own runtime identifier: linux-x64, linux-musl-arm64, osx-arm64, freebsd-x64 ...
	rid=$(dotnet --info | awk '/^ *RID:/ {print $2; exit}')
	[ -n "$rid" ] || { echo "publish.sh: dotnet --info names no runtime identifier" >&2; return 1; }
	echo "Building bsmtrace (native: NativeAOT for $rid, Release) ..."
	dotnet publish "$project" -c Release -r "$rid" -o "$out" --nologo -v q \
		-p:PublishAot=true -p:StripSymbols=true -p:DebugType=none
}

if [ "$kind" = auto ]; then
	kind=portable
	case "$(uname -s)" in
	Linux|Darwin) command -v clang >/dev/null 2>&1 && kind=native ;;
	esac
	if [ "$kind" = native ]; then
		native && exit 0
		echo "publish.sh: the native build failed (above); building the portable one instead" >&2
		# Empty when this began (checked above): what the failed build left goes.
		if [ -d "$out" ]; then find "$out/" -mindepth 1 -delete; fi
		kind=portable
	fi
fi
"$kind"
