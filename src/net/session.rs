//! Identities at run time: declarative login, attaching the credential to requests, and logging in
//! again when the target answers 401 mid-run.
//!
//! A token is fetched once per identity and run, on first use; a failed login is remembered for
//! the run, so a broken identity costs one login request, not one per probe. After a 401 an
//! identity logs in again at most once per run. Every login and every retry asks the scope guard
//! first (allow-list, request budget, per-host rate), like any other probe. Credentials travel
//! only as [`HttpRequest::credentials`], so the HTTP client's rules apply to them: in scope and
//! same-origin only, dropped on a redirect to another origin.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::Method;
use reqwest::StatusCode;
use tokio::sync::Mutex;

use super::http::{Http, HttpError, HttpRequest, HttpResponse};
use super::scope::{Scope, ScopeError};
use crate::config::{Apply, Credential, Identity, Login, LoginBody, Secret, TokenSource};
use crate::detect;

/// Why an identity could not act.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// No `[[identities]]` entry has this name.
    #[error("no identity named `{0}` in the config")]
    Unknown(String),
    /// The login request did not yield a credential.
    #[error("login as `{identity}` failed: {reason}")]
    Login {
        /// The identity.
        identity: String,
        /// What went wrong, without secrets.
        reason: String,
    },
    /// The request itself failed.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// The scope guard refused the retry after a re-login (budget spent, host off scope).
    #[error("retry after re-login not sent: {0}")]
    Scope(#[from] ScopeError),
}

/// The current credential of one identity.
struct Slot {
    token: Option<Secret>,
    /// Why the last login failed; returned to every later caller instead of logging in again.
    failure: Option<SessionError>,
    generation: u64,
    /// True once the identity logged in again after a 401: it does not do so a second time.
    refreshed: bool,
}

/// Every identity of the run with its cached credential.
pub struct Sessions {
    identities: Vec<Identity>,
    slots: HashMap<String, Mutex<Slot>>,
    logins: AtomicU64,
    scope: Arc<Scope>,
}

impl Sessions {
    /// Sessions for the configured identities; nothing is sent until one is used. Logins and
    /// retries are admitted by `scope`, the run's guard.
    pub fn new(identities: &[Identity], scope: Arc<Scope>) -> Self {
        let slots = identities
            .iter()
            .map(|i| {
                let slot = Slot {
                    token: None,
                    failure: None,
                    generation: 0,
                    refreshed: false,
                };
                (i.name.clone(), Mutex::new(slot))
            })
            .collect();
        Sessions {
            identities: identities.to_vec(),
            slots,
            logins: AtomicU64::new(0),
            scope,
        }
    }

    /// The identity with this name.
    pub fn identity(&self, name: &str) -> Option<&Identity> {
        self.identities.iter().find(|i| i.name == name)
    }

    /// Login requests sent this run.
    pub fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    /// The identity's credential, logging in on first use.
    pub async fn token(&self, http: &Http, name: &str) -> Result<Secret, SessionError> {
        self.current(http, name).await.map(|(token, _)| token)
    }

    /// `request` with the identity's credential attached as its `apply` rule says.
    pub async fn authorize(
        &self,
        http: &Http,
        name: &str,
        request: HttpRequest,
    ) -> Result<HttpRequest, SessionError> {
        let identity = self.find(name)?;
        let token = self.token(http, name).await?;
        Ok(attach(&identity.apply, &token, request))
    }

    /// Sends `request` as the identity (the caller has admitted it through the scope guard). On a
    /// 401 from a login-based identity it logs in again, at most once per identity and run, and
    /// retries once; the retry is admitted like any probe. Once the identity has re-logged in, a
    /// later 401 is returned as it is.
    pub async fn send_as(
        &self,
        http: &Http,
        name: &str,
        request: &HttpRequest,
    ) -> Result<HttpResponse, SessionError> {
        let identity = self.find(name)?;
        let (token, generation) = self.current(http, name).await?;
        let response = http
            .send(&attach(&identity.apply, &token, request.clone()))
            .await?;
        let can_refresh = matches!(identity.credential, Credential::Login(_));
        if response.status != StatusCode::UNAUTHORIZED || !can_refresh {
            return Ok(response);
        }
        let Some(token) = self.refresh(http, identity, generation).await? else {
            return Ok(response);
        };
        self.scope
            .admit(request.url.host_str().unwrap_or_default())
            .await?;
        Ok(http
            .send(&attach(&identity.apply, &token, request.clone()))
            .await?)
    }

    fn find(&self, name: &str) -> Result<&Identity, SessionError> {
        self.identity(name)
            .ok_or_else(|| SessionError::Unknown(name.to_string()))
    }

    async fn current(&self, http: &Http, name: &str) -> Result<(Secret, u64), SessionError> {
        let identity = self.find(name)?;
        let mut slot = self.slot(name)?.lock().await;
        if let Some(token) = &slot.token {
            return Ok((token.clone(), slot.generation));
        }
        if let Some(failure) = &slot.failure {
            return Err(failure.clone());
        }
        match self.obtain(http, identity).await {
            Ok(token) => {
                slot.token = Some(token.clone());
                Ok((token, slot.generation))
            }
            Err(failure) => {
                slot.failure = Some(failure.clone());
                Err(failure)
            }
        }
    }

    /// A fresh credential after a 401 on the one handed out at `seen`: another task's, when it
    /// logged in again meanwhile; else a new login, unless the identity already had its one
    /// re-login this run (`None`: the 401 stands).
    async fn refresh(
        &self,
        http: &Http,
        identity: &Identity,
        seen: u64,
    ) -> Result<Option<Secret>, SessionError> {
        let mut slot = self.slot(&identity.name)?.lock().await;
        if slot.generation == seen {
            if slot.refreshed {
                return Ok(None);
            }
            slot.refreshed = true;
            slot.generation += 1;
            match self.obtain(http, identity).await {
                Ok(token) => slot.token = Some(token),
                Err(failure) => {
                    slot.token = None;
                    slot.failure = Some(failure.clone());
                    return Err(failure);
                }
            }
        }
        match (&slot.token, &slot.failure) {
            (Some(token), _) => Ok(Some(token.clone())),
            (None, Some(failure)) => Err(failure.clone()),
            (None, None) => Err(SessionError::Login {
                identity: identity.name.clone(),
                reason: "no credential after re-login".into(),
            }),
        }
    }

    fn slot(&self, name: &str) -> Result<&Mutex<Slot>, SessionError> {
        self.slots
            .get(name)
            .ok_or_else(|| SessionError::Unknown(name.to_string()))
    }

    async fn obtain(&self, http: &Http, identity: &Identity) -> Result<Secret, SessionError> {
        match &identity.credential {
            Credential::Static(secret) => Ok(secret.clone()),
            Credential::Login(login) => {
                let host = login.url.host_str().unwrap_or_default();
                if let Err(refused) = self.scope.admit(host).await {
                    return Err(SessionError::Login {
                        identity: identity.name.clone(),
                        reason: format!("login request not sent: {refused}"),
                    });
                }
                self.logins.fetch_add(1, Ordering::Relaxed);
                log_in(http, &identity.name, login).await
            }
        }
    }
}

/// Sends the login request and extracts the credential from the response.
async fn log_in(http: &Http, identity: &str, login: &Login) -> Result<Secret, SessionError> {
    let fail = |reason: String| SessionError::Login {
        identity: identity.to_string(),
        reason,
    };
    let host = login.url.host_str().unwrap_or_default();
    if !http.in_scope(host) {
        return Err(fail(format!(
            "login URL host {host} is outside the target's scope; credentials not sent"
        )));
    }
    let method = Method::from_bytes(login.method.as_bytes())
        .map_err(|_| fail(format!("bad method `{}`", login.method)))?;
    let request = HttpRequest::new(method, login.url.clone());
    let request = match &login.body {
        LoginBody::None => request,
        LoginBody::Json(fields) => {
            let object: serde_json::Map<String, serde_json::Value> = fields
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.value().to_string())))
                .collect();
            request.json(&serde_json::Value::Object(object))
        }
        LoginBody::Form(fields) => {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (key, value) in fields {
                form.append_pair(key, value.value());
            }
            request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.finish())
        }
    };
    let response = http.send(&request).await?;
    if !(response.status.is_success() || response.status.is_redirection()) {
        return Err(fail(format!(
            "{} answered {}: {}",
            login.url,
            response.status,
            detect::excerpt(&response.text(), 0, 60)
        )));
    }
    extract(&response, &login.token).map_err(fail)
}

/// The credential a login response carries, per the identity's `token` rule.
fn extract(response: &HttpResponse, source: &TokenSource) -> Result<Secret, String> {
    let found = match source {
        TokenSource::JsonPointer(pointer) => {
            let json: serde_json::Value = serde_json::from_slice(&response.body)
                .map_err(|e| format!("login response is not JSON ({e})"))?;
            match json.pointer(pointer) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            }
        }
        TokenSource::Header(name) => response.header(name).map(str::to_string),
        TokenSource::Cookie(name) => response
            .header_all("set-cookie")
            .iter()
            .find_map(|cookie| cookie_value(cookie, name)),
    };
    match found {
        Some(token) if !token.is_empty() => Ok(Secret::new(token)),
        _ => Err(format!(
            "the response has no credential at {}",
            describe(source)
        )),
    }
}

/// The value of cookie `name` in one Set-Cookie header.
fn cookie_value(set_cookie: &str, name: &str) -> Option<String> {
    let pair = set_cookie.split(';').next()?;
    let (key, value) = pair.split_once('=')?;
    (key.trim() == name).then(|| value.trim().to_string())
}

fn describe(source: &TokenSource) -> String {
    match source {
        TokenSource::JsonPointer(p) => format!("JSON pointer {p}"),
        TokenSource::Header(h) => format!("header {h}"),
        TokenSource::Cookie(c) => format!("cookie {c}"),
    }
}

/// `request` with `token` attached per `apply`.
pub fn attach(apply: &Apply, token: &Secret, request: HttpRequest) -> HttpRequest {
    match apply {
        Apply::Header { name, prefix } => request.credential(
            name.clone(),
            Secret::new(format!("{prefix}{}", token.expose())),
        ),
        Apply::Cookie(name) => {
            request.credential("cookie", Secret::new(format!("{name}={}", token.expose())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_value_reads_the_named_pair_only() {
        assert_eq!(
            cookie_value("sid=abc123; Path=/; HttpOnly", "sid").as_deref(),
            Some("abc123")
        );
        assert_eq!(cookie_value("other=1; Path=/", "sid"), None);
        assert_eq!(cookie_value("garbage", "sid"), None);
    }

    #[test]
    fn attach_uses_prefix_and_cookie_forms() {
        let url = url::Url::parse("https://acme.test/").unwrap();
        let token = Secret::new("t0k");
        let bearer = Apply::Header {
            name: "Authorization".into(),
            prefix: "Bearer ".into(),
        };
        let request = attach(&bearer, &token, HttpRequest::get(url.clone()));
        assert_eq!(request.credentials[0].0, "Authorization");
        assert_eq!(request.credentials[0].1.expose(), "Bearer t0k");
        let request = attach(&Apply::Cookie("sid".into()), &token, HttpRequest::get(url));
        assert_eq!(request.credentials[0].0, "cookie");
        assert_eq!(request.credentials[0].1.expose(), "sid=t0k");
    }
}
