#pragma once
// AboutDialog: "About paas" (tray and window menus). Shows the version and
// the commit the build came from, the artifacts root (a link that opens the
// folder), the API URL (a link), and links to the docs: the installed copies
// under /usr/share/doc/paas when present, the web UI otherwise.
// objectNames: "aboutDialog"; the text label "aboutText" (tests read it).
// Thread affinity: GUI thread only.
#include <QDialog>
#include <QUrl>

namespace paas {

struct AboutInfo {
    QString version;
    QString commit;
    QString artifactsRoot;
    QUrl apiUrl;
};

class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(const AboutInfo& info, QWidget* parent = nullptr);

    // The dialog's rich text (also what the label shows).
    static QString text(const AboutInfo& info);
};

}  // namespace paas
