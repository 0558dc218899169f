#include "engine/git/templatecatalog.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>

#include <cctype>

namespace paas {

namespace {

const char* const kRoot = ":/templates";

bool isPlaceholderChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace

std::vector<std::string> templateRuntimes()
{
    std::vector<std::string> out;
    const QStringList dirs = QDir(kRoot).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString& dir : dirs)
        if (dir != kGenericTemplate)
            out.push_back(dir.toStdString());
    return out;
}

std::string templateFor(const std::string& runtime)
{
    for (const std::string& known : templateRuntimes())
        if (known == runtime)
            return runtime;
    return kGenericTemplate;
}

Result<std::string> substitutePlaceholders(const std::string& text, const std::map<std::string, std::string>& vars)
{
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t open = text.find("{{", pos);
        if (open == std::string::npos)
            break;
        std::size_t end = open + 2;
        while (end < text.size() && isPlaceholderChar(text[end]))
            ++end;
        const bool isSlot = end > open + 2 && text.compare(end, 2, "}}") == 0;
        if (!isSlot) {  // plain "{{" text: copy it and go on
            out.append(text, pos, open + 2 - pos);
            pos = open + 2;
            continue;
        }
        const std::string key = text.substr(open + 2, end - open - 2);
        const auto it = vars.find(key);
        if (it == vars.end())
            return Status::internal("template_var_missing", "template placeholder has no value: {{" + key + "}}");
        out.append(text, pos, open - pos);
        out += it->second;
        pos = end + 2;
    }
    out.append(text, pos, std::string::npos);
    return out;
}

Result<std::map<std::string, std::string>> renderTemplate(const std::string& runtime,
                                                          const std::map<std::string, std::string>& vars)
{
    const QString dir = QString(kRoot) + '/' + QString::fromStdString(templateFor(runtime));
    std::map<std::string, std::string> withRuntime = vars;
    withRuntime.emplace("runtime", runtime);
    std::map<std::string, std::string> files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return Status::internal("template_unreadable", "cannot read template file " + path.toStdString());
        Result<std::string> text = substitutePlaceholders(file.readAll().toStdString(), withRuntime);
        if (!text)
            return Status::internal(text.status().reason(), text.status().message() + " in " + path.toStdString());
        files.emplace(path.mid(dir.size() + 1).toStdString(), std::move(*text));
    }
    if (files.empty())
        return Status::internal("template_missing", "no template resources under " + dir.toStdString() +
                                                        " (are the paas_git resources linked in?)");
    return files;
}

}  // namespace paas
