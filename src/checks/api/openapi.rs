//! OpenAPI import: the operations of an OpenAPI 3 (or Swagger 2) JSON document, with their path
//! parameters and whether they require security, as endpoints the API checks can probe.
//!
//! Reference: OpenAPI Specification 3.1, "Paths Object", "Operation Object" and "Security
//! Requirement Object" (an empty list overrides a global requirement).

use std::path::Path;

use serde_json::Value;
use url::Url;

use crate::check::Context;
use crate::config::{AuthRequirement, Endpoint};
use crate::net::HttpRequest;

use super::{Caller, send};

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// Reads the document: an `http(s)://` URL is fetched (in scope only), anything else is a file
/// path relative to the config's directory.
pub async fn load(ctx: &Context, source: &str, base_dir: &Path) -> Result<Value, String> {
    let bytes = if source.starts_with("http://") || source.starts_with("https://") {
        let url = Url::parse(source).map_err(|e| format!("`{source}` is not a URL: {e}"))?;
        let exchange = send(ctx, HttpRequest::get(url), Caller::Anonymous).await;
        let response = exchange.result?;
        if !response.status.is_success() {
            return Err(format!("{source} answered {}", response.status.as_u16()));
        }
        response.body
    } else {
        let path = base_dir.join(source);
        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
    };
    serde_json::from_slice(&bytes).map_err(|e| {
        format!("{source} is not a JSON OpenAPI document ({e}); YAML is not supported")
    })
}

/// Every operation of the document as an endpoint under `base`'s origin (plus the first server's
/// path), each marked `required` when an operation or global security requirement applies.
pub fn operations(spec: &Value, base: &Url) -> Vec<Endpoint> {
    let global = requires_security(spec.get("security"));
    let prefix = spec["servers"][0]["url"]
        .as_str()
        .and_then(|s| {
            Url::parse(s)
                .ok()
                .map(|u| u.path().to_string())
                .or(Some(s.to_string()))
        })
        .filter(|p| p.starts_with('/'))
        .or_else(|| spec["basePath"].as_str().map(str::to_string))
        .unwrap_or_default();
    let prefix = prefix.trim_end_matches('/');
    let origin = base.origin().ascii_serialization();
    let mut out = Vec::new();
    let Some(paths) = spec["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let secured = match operation.get("security") {
                Some(list) => requires_security(Some(list)),
                None => global,
            };
            let name = operation["operationId"].as_str().map_or_else(
                || format!("{} {path}", method.to_ascii_uppercase()),
                str::to_string,
            );
            out.push(Endpoint {
                name,
                method: method.to_ascii_uppercase(),
                url: format!("{origin}{prefix}{path}"),
                auth: if secured {
                    AuthRequirement::Required
                } else {
                    AuthRequirement::Public
                },
                identity: None,
                ids: path_examples(item, operation),
                list: false,
                core: false,
                budget: None,
                disposable: false,
                body: None,
            });
        }
    }
    out
}

/// Example values of the path parameters (operation-level first, then path-level), used as ids.
fn path_examples(item: &Value, operation: &Value) -> Vec<String> {
    [operation, item]
        .iter()
        .filter_map(|v| v["parameters"].as_array())
        .flatten()
        .filter(|p| p["in"] == "path")
        .filter_map(|p| {
            let example = p.get("example").or_else(|| p["schema"].get("example"))?;
            match example {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        })
        .take(1)
        .collect()
}

/// True when a security requirement list holds at least one requirement; `[{}]` (an empty
/// requirement) and `[]` mean "no auth".
fn requires_security(list: Option<&Value>) -> bool {
    list.and_then(Value::as_array).is_some_and(|items| {
        !items.is_empty()
            && items
                .iter()
                .all(|i| i.as_object().is_some_and(|o| !o.is_empty()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_inherit_global_security_unless_overridden() {
        let spec = serde_json::json!({
            "openapi": "3.0.3",
            "servers": [{"url": "https://api.acme.test/v1"}],
            "security": [{"bearer": []}],
            "paths": {
                "/invoices/{id}": {
                    "parameters": [{"name": "id", "in": "path", "schema": {"type": "string", "example": "inv-7"}}],
                    "get": {"operationId": "getInvoice"},
                    "delete": {"parameters": [{"name": "id", "in": "path", "example": 42}]}
                },
                "/health": {"get": {"security": []}},
                "/docs": {"get": {"security": [{}]}}
            }
        });
        let base = Url::parse("https://acme.test/").unwrap();
        let ops = operations(&spec, &base);
        assert_eq!(ops.len(), 4);
        let invoice = ops.iter().find(|o| o.name == "getInvoice").unwrap();
        assert_eq!(invoice.url, "https://acme.test/v1/invoices/{id}");
        assert_eq!(invoice.auth, AuthRequirement::Required);
        assert_eq!(invoice.ids, vec!["inv-7".to_string()], "path-level example");
        let delete = ops.iter().find(|o| o.method == "DELETE").unwrap();
        assert_eq!(delete.auth, AuthRequirement::Required);
        assert_eq!(
            delete.ids,
            vec!["42".to_string()],
            "operation-level example wins"
        );
        for path in ["/health", "/docs"] {
            let op = ops.iter().find(|o| o.url.ends_with(path)).unwrap();
            assert_eq!(op.auth, AuthRequirement::Public, "{path}");
        }
    }

    #[test]
    fn documents_without_global_security_are_public_by_default() {
        let spec = serde_json::json!({
            "swagger": "2.0",
            "basePath": "/api",
            "paths": {"/me": {"get": {"security": [{"jwt": []}]}}, "/ping": {"get": {}}}
        });
        let ops = operations(&spec, &Url::parse("https://acme.test").unwrap());
        assert_eq!(ops[0].url, "https://acme.test/api/me");
        assert_eq!(ops[0].auth, AuthRequirement::Required);
        assert_eq!(ops[1].auth, AuthRequirement::Public);
    }
}
