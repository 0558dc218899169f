#!/usr/bin/env bash
# Fails when the engine includes GUI/HTTP headers, or ui/ includes the API or
# engine internals: the arrows point one way (app -> ui, engine/api -> engine).
set -u
cd "${1:-.}"
status=0
bad=$(grep -rnE '#include\s*[<"](Qt(Gui|Widgets|HttpServer|WebEngine[A-Za-z]*)/|Q(Widget|HttpServer[A-Za-z]*|WebEngine[A-Za-z]*|Application|GuiApplication|AbstractHttpServer)\b)' \
      engine --include='*.h' --include='*.cpp' | grep -v '^engine/api/')
if [ -n "$bad" ]; then
  echo "engine/ must not include Qt Gui/Widgets/HttpServer/WebEngine headers:"; echo "$bad"; status=1
fi
bad=$(grep -rnE '#include\s*"engine/api/' engine --include='*.h' --include='*.cpp' | grep -v '^engine/api/')
if [ -n "$bad" ]; then echo "engine/ must not include engine/api:"; echo "$bad"; status=1; fi
if [ -d ui ]; then
  bad=$(grep -rnE '#include\s*"engine/(api|pipeline|store)/' ui --include='*.h' --include='*.cpp')
  if [ -n "$bad" ]; then echo "ui/ gets a URL; it must not include engine/api or engine internals:"; echo "$bad"; status=1; fi
fi
[ $status -eq 0 ] && echo "layering: ok ($(find engine ui -name '*.h' -o -name '*.cpp' 2>/dev/null | wc -l) files checked)"
exit $status
