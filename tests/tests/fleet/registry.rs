//! The service registry (`deploy/services.toml`) and the gateways generated from it: every
//! path of every committed OpenAPI document, and every page a mail links to, reaches its
//! owning service through the local fleet's nginx, the docker-compose nginx and the
//! Kubernetes ingress, each read from its own file; the local nginx of a replicated fleet
//! balances each service over instances of its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Registry {
    service: Vec<Service>,
}

#[derive(Debug, Deserialize)]
struct Service {
    name: String,
    port: u16,
    segments: Vec<String>,
    #[serde(default)]
    pages: Vec<String>,
}

/// One gateway: its routes in file order, each a matcher and the service it reaches.
struct Gateway {
    name: &'static str,
    routes: Vec<(Route, String)>,
}

enum Route {
    /// An nginx regex location (the first match in file order wins).
    Pattern(Regex),
    /// A Kubernetes `Prefix` path (matches whole path elements).
    Prefix(String),
}

impl Gateway {
    fn owner_of(&self, path: &str) -> Option<&str> {
        let matches = |route: &Route| match route {
            Route::Pattern(pattern) => pattern.is_match(path),
            Route::Prefix(prefix) => {
                path == prefix || path.starts_with(&format!("{}/", prefix.trim_end_matches('/')))
            }
        };
        match self.routes.first().map(|(r, _)| r) {
            // The ingress picks the longest matching prefix.
            Some(Route::Prefix(_)) => self
                .routes
                .iter()
                .filter(|(route, _)| matches(route))
                .max_by_key(|(route, _)| match route {
                    Route::Prefix(p) => p.len(),
                    Route::Pattern(_) => 0,
                })
                .map(|(_, owner)| owner.as_str()),
            _ => self
                .routes
                .iter()
                .find(|(route, _)| matches(route))
                .map(|(_, owner)| owner.as_str()),
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn registry() -> Registry {
    let text = std::fs::read_to_string(root().join("deploy/services.toml")).unwrap();
    toml::from_str(&text).expect("deploy/services.toml parses")
}

/// nginx `location ~ <regex> { ... proxy_pass http://<upstream>; ... }` blocks, each
/// upstream resolved to its server's address through the `upstream <name> { server
/// <address> ...; }` blocks; `owner` names the service an address belongs to.
fn nginx_gateway(name: &'static str, config: &str, owner: impl Fn(&str) -> String) -> Gateway {
    let upstream_block =
        Regex::new(r"upstream (\S+) \{[^}]*?server ([A-Za-z0-9.\-]+:\d+)").unwrap();
    let servers: BTreeMap<&str, &str> = upstream_block
        .captures_iter(config)
        .map(|c| (c.get(1).unwrap().as_str(), c.get(2).unwrap().as_str()))
        .collect();
    let location = Regex::new(r"location ~ (\S+) \{([^}]*)\}").unwrap();
    let proxy_pass = Regex::new(r"proxy_pass http://([A-Za-z0-9.:\-]+);").unwrap();
    let routes = location
        .captures_iter(config)
        .map(|c| {
            let upstream = proxy_pass
                .captures(&c[2])
                .expect("a location names its upstream")
                .get(1)
                .unwrap()
                .as_str();
            let address = servers
                .get(upstream)
                .unwrap_or_else(|| panic!("{name}: no upstream block for {upstream}"));
            (Route::Pattern(Regex::new(&c[1]).unwrap()), owner(address))
        })
        .collect();
    Gateway { name, routes }
}

fn local_gateway(registry: &Registry) -> Gateway {
    let output = Command::new(root().join("scripts/registry"))
        .args(["nginx-local", "8080", "/tmp/batbern-gateway-check"])
        .output()
        .expect("scripts/registry runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let by_port: BTreeMap<String, String> = registry
        .service
        .iter()
        .map(|s| (format!("127.0.0.1:{}", s.port), s.name.clone()))
        .collect();
    let config = String::from_utf8(output.stdout).unwrap();
    nginx_gateway("scripts/fleet nginx", &config, |address| {
        by_port
            .get(address)
            .cloned()
            .unwrap_or_else(|| format!("unknown upstream {address}"))
    })
}

fn compose_gateway() -> Gateway {
    let config = std::fs::read_to_string(root().join("deploy/compose/nginx.conf")).unwrap();
    nginx_gateway("deploy/compose/nginx.conf", &config, |address| {
        address.split(':').next().unwrap().to_owned()
    })
}

fn kubernetes_ingress() -> Gateway {
    let manifest = std::fs::read_to_string(root().join("deploy/k8s/gateway.yaml")).unwrap();
    let (mut routes, mut pending, mut in_service) = (Vec::new(), None, false);
    for line in manifest.lines().map(str::trim) {
        if let Some(path) = line.strip_prefix("- path: ") {
            pending = Some(path.to_owned());
            in_service = false;
        } else if line == "service:" {
            in_service = true;
        } else if let (true, Some(name)) = (in_service, line.strip_prefix("name: ")) {
            if let Some(path) = pending.take() {
                routes.push((Route::Prefix(path), name.to_owned()));
            }
            in_service = false;
        }
    }
    Gateway {
        name: "deploy/k8s/gateway.yaml",
        routes,
    }
}

fn gateways(registry: &Registry) -> Vec<Gateway> {
    vec![
        local_gateway(registry),
        compose_gateway(),
        kubernetes_ingress(),
    ]
}

/// Every path of the committed OpenAPI documents with its owner (the document's service),
/// path parameters filled in.
fn documented_paths() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    let parameter = Regex::new(r"\{[^}]+\}").unwrap();
    for entry in std::fs::read_dir(root().join("openapi")).unwrap() {
        let file = entry.unwrap().path();
        let owner = file.file_stem().unwrap().to_string_lossy().into_owned();
        if owner == "batbern" {
            // The merged document of the whole fleet; its paths are the services'.
            continue;
        }
        let document: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for path in document["paths"].as_object().expect("paths").keys() {
            let concrete = parameter.replace_all(path, "01930000-0000-7000-8000-000000000001");
            paths.push((concrete.into_owned(), owner.clone()));
        }
    }
    assert!(paths.len() > 50, "the committed documents hold the API");
    paths
}

#[test]
fn every_documented_path_reaches_its_owner_through_every_gateway() {
    let registry = registry();
    let mut misrouted = Vec::new();
    for gateway in gateways(&registry) {
        for (path, owner) in documented_paths() {
            let routed = gateway.owner_of(&path);
            if routed != Some(owner.as_str()) {
                misrouted.push(format!(
                    "{}: {path} → {routed:?}, owned by {owner}",
                    gateway.name
                ));
            }
        }
    }
    assert!(misrouted.is_empty(), "misrouted:\n{}", misrouted.join("\n"));
}

#[test]
fn every_page_a_mail_links_to_reaches_its_owner_through_every_gateway() {
    let registry = registry();
    let links = [
        (
            "/speaker/invitations/01930000-0000-7000-8000-000000000001",
            "speakers",
        ),
        ("/newsletter/confirm", "attendees"),
        ("/newsletter/unsubscribe", "attendees"),
    ];
    for gateway in gateways(&registry) {
        for service in &registry.service {
            for page in &service.pages {
                assert_eq!(
                    gateway.owner_of(&format!("/{page}/x")),
                    Some(service.name.as_str()),
                    "{}: /{page}",
                    gateway.name
                );
            }
        }
        for (link, owner) in links {
            assert_eq!(
                gateway.owner_of(link),
                Some(owner),
                "{}: {link}",
                gateway.name
            );
        }
    }
}

#[test]
fn segments_have_one_owner_and_services_one_port() {
    let registry = registry();
    let mut owners = BTreeMap::new();
    let mut ports = BTreeMap::new();
    for service in &registry.service {
        let api = service.segments.iter().map(|s| format!("/api/v1/{s}"));
        let pages = service.pages.iter().map(|p| format!("/{p}"));
        for prefix in api.chain(pages) {
            if let Some(other) = owners.insert(prefix.clone(), service.name.clone()) {
                panic!("{prefix} is owned by both {other} and {}", service.name);
            }
        }
        if let Some(other) = ports.insert(service.port, service.name.clone()) {
            panic!(
                "port {} is used by both {other} and {}",
                service.port, service.name
            );
        }
    }
}

#[test]
fn committed_gateways_and_kubernetes_manifests_are_generated_from_the_registry() {
    let output = Command::new(root().join("scripts/registry"))
        .arg("check")
        .output()
        .expect("scripts/registry runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn a_replicated_local_gateway_balances_each_service_over_its_own_instances() {
    let output = Command::new(root().join("scripts/registry"))
        .args([
            "nginx-local",
            "8080",
            "/tmp/batbern-gateway-check",
            "0",
            "2",
        ])
        .output()
        .expect("scripts/registry runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let config = String::from_utf8(output.stdout).unwrap();
    let server = Regex::new(r"server 127\.0\.0\.1:(\d+);").unwrap();
    let mut taken = BTreeMap::new();
    for service in registry().service {
        let block = Regex::new(&format!(r"upstream {} \{{([^}}]*)\}}", service.name))
            .unwrap()
            .captures(&config)
            .unwrap_or_else(|| panic!("no upstream for {}", service.name))[1]
            .to_owned();
        let ports: Vec<u16> = server
            .captures_iter(&block)
            .map(|c| c[1].parse().unwrap())
            .collect();
        assert_eq!(
            ports,
            [service.port, service.port + 100],
            "{}",
            service.name
        );
        for port in ports {
            if let Some(other) = taken.insert(port, service.name.clone()) {
                panic!("port {port} is used by both {other} and {}", service.name);
            }
        }
    }
}
