//! local-swf's integration tests, one binary (as wasmtime does): each area is a module. The
//! broad wire-level suite is the boto3 one in `tests/py`.

mod service;
