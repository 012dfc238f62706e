//! Short, rustdoc-safe documentation from schema descriptions.

/// Longest summary kept (in characters) before cutting at a sentence end.
const MAX: usize = 280;

/// The first sentence(s) of `desc` as one line of rustdoc-safe markdown:
/// links become their text, `[`, `]`, `<`, `>`, `\` are escaped outside code
/// spans, bare URLs are put in code spans. `None` when there is no text.
pub(crate) fn summary(desc: &str) -> Option<String> {
    let text = strip_links(desc.trim());
    // First paragraph/line only.
    let first = text.split('\n').map(str::trim).find(|l| !l.is_empty())?;
    let mut out = String::new();
    for sentence in sentences(first) {
        if !out.is_empty() && out.len() + sentence.len() > MAX {
            break;
        }
        out.push_str(sentence);
    }
    let mut out = out.trim().to_owned();
    if out.chars().count() > MAX * 2 {
        out = out.chars().take(MAX).collect::<String>();
        out = out.trim_end().to_owned();
        out.push('…');
    }
    let mut out = escape(&out);
    if out.is_empty() {
        return None;
    }
    if !out.ends_with(['.', '!', '?', ')', '…', ':']) {
        out.push('.');
    }
    Some(out)
}

/// Split after ". " (keeps the separator with the sentence).
fn sentences(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'.' && bytes[i + 1] == b' ' {
            // Not after a common abbreviation.
            let before = &s[start..i];
            let abbrev = ["e.g", "i.e", "etc", "vs", "Inc", "approx"].iter().any(|a| before.ends_with(a));
            if !abbrev {
                out.push(&s[start..=i + 1]);
                start = i + 2;
            }
        }
        i += 1;
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// `[text](url)` → `text`.
fn strip_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        if let Some(close) = after.find("](") {
            let text = &after[..close];
            let tail = &after[close + 2..];
            if !text.contains('[') {
                if let Some(end) = tail.find(')') {
                    out.push_str(&rest[..open]);
                    out.push_str(text);
                    rest = &tail[end + 1..];
                    continue;
                }
            }
        }
        out.push_str(&rest[..=open]);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Escape markdown/HTML-significant characters outside code spans; put bare
/// URLs in code spans; drop unbalanced backticks.
fn escape(s: &str) -> String {
    let s: String = if balanced_code_spans(s) { s.to_owned() } else { s.replace('`', "") };
    let mut out = String::with_capacity(s.len() + 8);
    // Length of the backtick run that opened the current code span.
    let mut code: Option<usize> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '`' {
            let mut n = 1;
            while chars.next_if(|&(_, ch)| ch == '`').is_some() {
                n += 1;
            }
            code = match code {
                None => Some(n),
                Some(open) if open == n => None,
                keep => keep,
            };
            out.push_str(&"`".repeat(n));
            continue;
        }
        if code.is_some() {
            out.push(c);
            continue;
        }
        let rest = &s[i..];
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = rest.find(|ch: char| ch.is_whitespace() || ch == '`' || ch == ')').unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';']);
            out.push('`');
            out.push_str(url);
            out.push('`');
            // Skip the URL's remaining characters.
            for _ in 1..url.chars().count() {
                chars.next();
            }
            continue;
        }
        match c {
            '[' | ']' | '<' | '>' | '\\' | '*' | '_' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\t' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Every code span opened by a run of backticks is closed by a run of the
/// same length.
fn balanced_code_spans(s: &str) -> bool {
    let mut open: Option<usize> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '`' {
            let mut n = 1;
            while chars.next_if(|&ch| ch == '`').is_some() {
                n += 1;
            }
            open = match open {
                None => Some(n),
                Some(o) if o == n => None,
                keep => keep,
            };
        }
    }
    open.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_sentence_and_escapes() {
        assert_eq!(
            summary("Specifies a subnet for the specified VPC.\n For an IPv4 only subnet").unwrap(),
            "Specifies a subnet for the specified VPC."
        );
        assert_eq!(
            summary("See [Subnets](https://x.y/z) for <b>bold</b> [x].").unwrap(),
            "See Subnets for \\<b\\>bold\\</b\\> \\[x\\]."
        );
        assert_eq!(summary("Go to https://example.com/a_b. Then").unwrap(), "Go to `https://example.com/a_b`. Then.");
        assert_eq!(summary("Uses ``a_b[0]``").unwrap(), "Uses ``a_b[0]``.");
        assert_eq!(summary("  "), None);
    }
}
