// paas_soak: `make soak` (SOAK_MINUTES, default 10). See soakrun.h for what
// it runs and docs/RELIABILITY.md for the pass rules and measured figures.
#include "tests/soak/soakrun.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    return paas::soak::SoakRun(paas::soak::SoakOptions::fromEnvironment()).run();
}
