#!/usr/bin/env bash
# The one place that lists and installs everything the project needs on Debian 12.
#
#   scripts/deps.sh install        install what is missing (idempotent; quick when all is present)
#   scripts/deps.sh install-build  only what building the binary needs (used by Dockerfile.build)
#   scripts/deps.sh check          exit 0 iff everything is present, listing what is not
#   scripts/deps.sh prefix NAME    print the install prefix of a source-built dependency (curl|simdjson)
#   scripts/deps.sh install-extra  also install the packages only `make bootstrap-image` needs
#
# Binary packages come from Debian's archive. simdjson and libcurl are built from the pinned
# Debian *source* packages (fetched through a private deb-src list, so the system's apt
# configuration is untouched; apt verifies the checksums against the signed index) into a cache
# outside the checkout, keyed by the exact source version and the build options.
set -euo pipefail

# ---- binary packages ---------------------------------------------------------------------------
APT_BUILD_PACKAGES=(
  # toolchain
  g++ make cmake ninja-build ccache pkg-config git file binutils
  # apt-get source unpacking
  dpkg-dev
  # libraries (headers and static archives)
  libboost1.74-dev libmbedtls-dev libzstd-dev liblmdb-dev
  # the CA bundle embedded into the binary at build time
  ca-certificates
)
APT_TEST_PACKAGES=(
  clang-format clang-tidy
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # libFuzzer and the sanitizer runtime for clang
  clang libclang-rt-14-dev
  # a real Docker engine and a busybox for the tests
  docker.io busybox-static
  # pgrep in tests/dockerd/dockerd.sh
  procps
  # the registry of the engine's pull tests (python3 makes its bcrypt htpasswd entry)
  docker-registry python3
  # the package tests: rpmbuild, a Debian root booted under systemd-nspawn (nsenter), the
  # docker-compose file read by the privileged-container test
  rpm debootstrap systemd-container util-linux python3-yaml
)
APT_PACKAGES=("${APT_BUILD_PACKAGES[@]}" "${APT_TEST_PACKAGES[@]}")
# Only for `make bootstrap-image` (a local Debian bookworm base image without a registry); its
# debootstrap is already a test package.
APT_EXTRA_PACKAGES=()

# ---- pinned source packages ------------------------------------------------------------------------
# Exact Debian source versions. If Debian's archive no longer carries the exact revision (the
# security archive keeps only the newest), the newest revision of the same upstream version is
# used instead and this is said loudly; the cache is keyed by the revision actually built.
CURL_UPSTREAM=7.88.1
CURL_DEBIAN=7.88.1-10+deb12u15
SIMDJSON_UPSTREAM=3.0.1
SIMDJSON_DEBIAN=3.0.1-1

DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org}
CACHE=${ECS_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ecs-agent-deps}

# Minimal libcurl: HTTP and HTTPS only, mbedTLS the only TLS backend, proxies on, nothing else.
CURL_CMAKE_OPTIONS=(
  -DBUILD_SHARED_LIBS=OFF -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DENABLE_MANUAL=OFF
  -DCURL_USE_MBEDTLS=ON -DCURL_USE_OPENSSL=OFF -DCURL_USE_GNUTLS=OFF -DCURL_USE_NSS=OFF
  -DCURL_USE_WOLFSSL=OFF -DCURL_USE_BEARSSL=OFF
  -DHTTP_ONLY=ON -DCURL_DISABLE_PROXY=OFF
  -DCURL_DISABLE_LDAP=ON -DCURL_DISABLE_LDAPS=ON -DUSE_LIBRTMP=OFF
  -DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF -DUSE_LIBIDN2=OFF -DCURL_USE_LIBPSL=OFF
  -DCURL_USE_GSSAPI=OFF -DUSE_NGHTTP2=OFF -DUSE_NGTCP2=OFF -DUSE_QUICHE=OFF -DUSE_MSH3=OFF
  -DCURL_ZLIB=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DENABLE_ARES=OFF
  -DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none -DCURL_CA_FALLBACK=OFF
  -DCURL_DISABLE_ALTSVC=ON -DCURL_DISABLE_COOKIES=ON -DCURL_DISABLE_NTLM=ON
  -DCURL_DISABLE_NETRC=ON -DENABLE_UNIX_SOCKETS=OFF
  # link against Debian's static mbedTLS archives, never the shared objects
  -DMBEDTLS_INCLUDE_DIRS=/usr/include
  -DMBEDTLS_LIBRARY=/usr/lib/x86_64-linux-gnu/libmbedtls.a
  -DMBEDX509_LIBRARY=/usr/lib/x86_64-linux-gnu/libmbedx509.a
  -DMBEDCRYPTO_LIBRARY=/usr/lib/x86_64-linux-gnu/libmbedcrypto.a
)
SIMDJSON_CMAKE_OPTIONS=(
  -DBUILD_SHARED_LIBS=OFF -DSIMDJSON_DEVELOPER_MODE=OFF -DSIMDJSON_ENABLE_THREADS=OFF
)
COMMON_CMAKE_OPTIONS=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON)

log() { printf 'deps: %s\n' "$*" >&2; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

missing_packages() {
  local p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [[ $status == ii* ]] || printf '%s\n' "$p"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages "$@")
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

options_hash() { # hash of everything that changes the built artefact besides the source version
  { printf '%s\n' "$@"; g++ --version | head -n1; cmake --version | head -n1; } | sha256sum | cut -c1-12
}

# A private apt configuration holding only deb-src entries; the system's is never touched.
APTDIR=$CACHE/apt
apt_private() {
  apt-get -o Dir::Etc::SourceList="$APTDIR/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
    -o Dir::State::Lists="$APTDIR/lists" -o Dir::Cache="$APTDIR/cache" \
    -o APT::Sandbox::User="$(id -un)" -q "$@"
}
apt_cache_private() {
  apt-cache -o Dir::Etc::SourceList="$APTDIR/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
    -o Dir::State::Lists="$APTDIR/lists" -o Dir::Cache="$APTDIR/cache" "$@"
}
APT_UPDATED=0
private_apt_update() {
  [[ $APT_UPDATED -eq 1 ]] && return 0
  mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
  local key=/usr/share/keyrings/debian-archive-keyring.gpg
  cat >"$APTDIR/sources.list" <<EOF
deb-src [signed-by=$key] $DEBIAN_MIRROR/debian bookworm main
deb-src [signed-by=$key] $DEBIAN_MIRROR/debian bookworm-updates main
deb-src [signed-by=$key] $DEBIAN_MIRROR/debian-security bookworm-security main
EOF
  apt_private update >/dev/null
  APT_UPDATED=1
}

# resolve_source PACKAGE PINNED UPSTREAM -> prints the Debian version to fetch
resolve_source() {
  local pkg=$1 pinned=$2 upstream=$3 versions
  versions=$(apt_cache_private showsrc "$pkg" | sed -n 's/^Version: //p' | sort -u)
  if grep -qxF "$pinned" <<<"$versions"; then
    printf '%s\n' "$pinned"
    return
  fi
  local newest
  newest=$(grep -E "^${upstream//./\\.}-" <<<"$versions" | sort -V | tail -n1 || true)
  [[ -n $newest ]] || die "Debian offers no source of $pkg $upstream (have: $(echo $versions)); update the pin in scripts/deps.sh"
  log "WARNING: $pkg $pinned is no longer in Debian's archive; using $newest (same upstream $upstream)"
  printf '%s\n' "$newest"
}

# build_source NAME PACKAGE PINNED UPSTREAM -- cmake options...
build_source() {
  local name=$1 pkg=$2 pinned=$3 upstream=$4
  shift 5
  local hash resolved_file
  hash=$(options_hash "$@")
  resolved_file=$CACHE/resolved/$name-$pinned-$hash
  if [[ -f $resolved_file ]] && [[ -f $(cat "$resolved_file")/.complete ]]; then
    return 0
  fi
  private_apt_update
  local version prefix
  version=$(resolve_source "$pkg" "$pinned" "$upstream")
  prefix=$CACHE/$name-$version-$hash
  if [[ ! -f $prefix/.complete ]]; then
    log "building $pkg $version from Debian source into $prefix"
    ( # in a subshell so that the work directory is removed on every exit path
      work=$(mktemp -d "$CACHE/work.XXXXXX")
      trap 'rm -rf "$work"' EXIT
      (cd "$work" && apt_private source "$pkg=$version" >/dev/null)
      srcdir=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$pkg-*" | head -n1)
      [[ -d $srcdir ]] || die "apt-get source $pkg=$version produced no source tree"
      rm -rf "$prefix.tmp"
      cmake -S "$srcdir" -B "$work/build" "${COMMON_CMAKE_OPTIONS[@]}" \
        -DCMAKE_INSTALL_PREFIX="$prefix.tmp" "$@" >"$work/configure.log" 2>&1 ||
        { tail -n 40 "$work/configure.log" >&2; die "configuring $pkg failed"; }
      cmake --build "$work/build" --target install >"$work/build.log" 2>&1 ||
        { tail -n 40 "$work/build.log" >&2; die "building $pkg failed"; }
      printf '%s\n' "$version" >"$prefix.tmp/DEBIAN_SOURCE_VERSION"
      rm -rf "$prefix"
      mv "$prefix.tmp" "$prefix"
      touch "$prefix/.complete"
    )
  fi
  mkdir -p "$CACHE/resolved"
  printf '%s\n' "$prefix" >"$resolved_file"
}

source_prefix() {
  local name=$1 pinned hash
  case $name in
    curl) pinned=$CURL_DEBIAN; hash=$(options_hash "${CURL_CMAKE_OPTIONS[@]}") ;;
    simdjson) pinned=$SIMDJSON_DEBIAN; hash=$(options_hash "${SIMDJSON_CMAKE_OPTIONS[@]}") ;;
    *) die "unknown source dependency '$name' (expected curl or simdjson)" ;;
  esac
  local f=$CACHE/resolved/$name-$pinned-$hash
  [[ -f $f ]] && [[ -f $(cat "$f")/.complete ]] || die "$name is not built yet; run: scripts/deps.sh install"
  cat "$f"
}

install_sources() {
  mkdir -p "$CACHE"
  build_source simdjson simdjson "$SIMDJSON_DEBIAN" "$SIMDJSON_UPSTREAM" -- "${SIMDJSON_CMAKE_OPTIONS[@]}"
  build_source curl curl "$CURL_DEBIAN" "$CURL_UPSTREAM" -- "${CURL_CMAKE_OPTIONS[@]}"
}

case ${1:-install} in
  install)
    install_packages "${APT_PACKAGES[@]}"
    install_sources
    ;;
  install-build)
    install_packages "${APT_BUILD_PACKAGES[@]}"
    install_sources
    ;;
  install-extra)
    install_packages "${APT_PACKAGES[@]}" "${APT_EXTRA_PACKAGES[@]}"
    install_sources
    ;;
  check)
    mapfile -t m < <(missing_packages "${APT_PACKAGES[@]}")
    ok=1
    [[ ${#m[@]} -eq 0 ]] || { log "missing packages: ${m[*]}"; ok=0; }
    source_prefix curl >/dev/null 2>&1 || { log "curl not built"; ok=0; }
    source_prefix simdjson >/dev/null 2>&1 || { log "simdjson not built"; ok=0; }
    [[ $ok -eq 1 ]]
    ;;
  prefix)
    source_prefix "${2:-}"
    ;;
  *)
    die "unknown command '$1' (expected install, install-build, install-extra, check or prefix NAME)"
    ;;
esac
