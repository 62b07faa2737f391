//! JSON Web Tokens (RFC 7519) taken apart and put together by hand: base64url, HS256 (RFC 7518
//! §3.2) and the unsigned `alg: none` form that verifiers must refuse.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;

/// A decoded compact JWS: header and claims as JSON, the signed part and the signature.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt {
    /// The JOSE header.
    pub header: serde_json::Value,
    /// The claims set.
    pub claims: serde_json::Value,
    /// `base64url(header).base64url(claims)`, the bytes the signature covers.
    pub signing_input: String,
    /// The decoded signature (empty for `alg: none`).
    pub signature: Vec<u8>,
}

impl Jwt {
    /// Decodes a compact token; `None` when it is not a three-part JWS with JSON header and claims.
    pub fn parse(token: &str) -> Option<Jwt> {
        let mut parts = token.trim().split('.');
        let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let decode_json = |part: &str| -> Option<serde_json::Value> {
            let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
            let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
            value.is_object().then_some(value)
        };
        Some(Jwt {
            header: decode_json(header)?,
            claims: decode_json(claims)?,
            signing_input: format!("{header}.{claims}"),
            signature: URL_SAFE_NO_PAD.decode(signature).ok()?,
        })
    }

    /// The `alg` header, e.g. `HS256`.
    pub fn alg(&self) -> &str {
        self.header["alg"].as_str().unwrap_or_default()
    }

    /// A NumericDate claim such as `exp` or `iat`, in whole seconds: RFC 7519 §2 allows
    /// fractional values, which are truncated; out-of-range values saturate. `None` when the
    /// claim is absent or not a number.
    pub fn numeric(&self, claim: &str) -> Option<i64> {
        let value = &self.claims[claim];
        value.as_i64().or_else(|| {
            value
                .as_f64()
                .filter(|seconds| seconds.is_finite())
                .map(|seconds| seconds as i64)
        })
    }

    /// True when the HS256 signature verifies with `secret`.
    pub fn verifies_hs256(&self, secret: &[u8]) -> bool {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        hmac::verify(&key, self.signing_input.as_bytes(), &self.signature).is_ok()
    }
}

/// A compact HS256 token carrying `claims`.
pub fn encode_hs256(claims: &serde_json::Value, secret: &[u8]) -> String {
    let input = signing_input(&serde_json::json!({"alg": "HS256", "typ": "JWT"}), claims);
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let signature = hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
}

/// An unsigned `alg: none` token carrying `claims`, with the empty third part.
pub fn encode_none(claims: &serde_json::Value) -> String {
    let input = signing_input(&serde_json::json!({"alg": "none", "typ": "JWT"}), claims);
    format!("{input}.")
}

fn signing_input(header: &serde_json::Value, claims: &serde_json::Value) -> String {
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs256_round_trips_and_rejects_other_secrets() {
        let claims = serde_json::json!({"sub": "alice", "exp": 2_000_000_000});
        let token = encode_hs256(&claims, b"k3y");
        let jwt = Jwt::parse(&token).expect("decodes");
        assert_eq!(jwt.alg(), "HS256");
        assert_eq!(jwt.claims, claims);
        assert_eq!(jwt.numeric("exp"), Some(2_000_000_000));
        let fractional =
            Jwt::parse(&encode_hs256(&serde_json::json!({"exp": 1.5e9}), b"k")).expect("decodes");
        assert_eq!(fractional.numeric("exp"), Some(1_500_000_000));
        let huge = Jwt::parse(&encode_hs256(&serde_json::json!({"exp": u64::MAX}), b"k"))
            .expect("decodes");
        assert_eq!(huge.numeric("exp"), Some(i64::MAX));
        assert!(jwt.verifies_hs256(b"k3y"));
        assert!(!jwt.verifies_hs256(b"other"));
    }

    #[test]
    fn none_tokens_have_an_empty_signature_and_garbage_is_refused() {
        let jwt = Jwt::parse(&encode_none(&serde_json::json!({"sub": "x"}))).expect("decodes");
        assert_eq!(jwt.alg(), "none");
        assert!(jwt.signature.is_empty());
        assert_eq!(Jwt::parse("not-a-token"), None);
        assert_eq!(Jwt::parse("a.b.c.d"), None);
        assert_eq!(Jwt::parse("e30.e30.!!"), None);
    }
}
