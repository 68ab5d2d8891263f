-- A verifier's one-line account of a failed result, which can-i-deploy
-- gives as the reason: provider contract checks say which interaction is
-- incompatible with the provider's OpenAPI document, and why.
ALTER TABLE verifications ADD COLUMN summary TEXT;
