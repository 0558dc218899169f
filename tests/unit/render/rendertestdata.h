#pragma once
// Shared fixtures for the render tests.
#include "engine/model/specparser.h"

#include <QtTest>

namespace paas::testdata {

// Three environments with different vars/replicas/ports; http + metrics.
inline ProjectSpec webSpec()
{
    const auto json = nlohmann::json::parse(R"({
      "apiVersion": "platform.example.com/v2", "kind": "App", "name": "platform-app",
      "runtime": "go_1.26", "capabilities": ["http", "metrics"],
      "environments": {
        "prod": {"vars": {"LOG_LEVEL": "warn", "FEATURE_X": "true", "A_FIRST": "1"}, "replicas": 3, "port": 9090},
        "dev": {"vars": {"LOG_LEVEL": "info", "MAX_CONN": "8080"}},
        "staging": {"vars": {"LOG_LEVEL": "debug"}, "replicas": 2}
      },
      "networkPolicies": {"ingress": "internal", "egress": "internal"}})");
    Result<ProjectSpec> spec = SpecParser::parseSpec(json);
    if (!spec)
        qFatal("fixture spec invalid: %s", spec.status().toString().c_str());
    return *spec;
}

// A background worker: no Service, no probes; ingress none, egress public.
inline ProjectSpec workerSpec()
{
    const auto json = nlohmann::json::parse(R"({
      "apiVersion": "platform.example.com/v2", "kind": "App", "name": "queue-worker",
      "runtime": "python_3.13", "capabilities": ["worker"],
      "environments": {"production": {"vars": {}}, "dev": {}},
      "networkPolicies": {"ingress": "none", "egress": "public"}})");
    Result<ProjectSpec> spec = SpecParser::parseSpec(json);
    if (!spec)
        qFatal("fixture spec invalid: %s", spec.status().toString().c_str());
    return *spec;
}

}  // namespace paas::testdata
