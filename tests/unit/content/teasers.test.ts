/**
 * Teasers of the World Factbook profiles: whole sentences from the beginning of the background,
 * never cut around an abbreviation ("B.C.", "A.D.", "est.", initials), over every profile.
 */
import { describe, expect, it } from "vitest";
import { sentencesOf, teaserOf } from "@/lib/content/factbook";
import { factbookArticles } from "@/prisma/seed-data";

describe("sentencesOf", () => {
  it.each([
    [
      "Settled as early as 1000 B.C., Samoa was reached late. Rivalries followed.",
      ["Settled as early as 1000 B.C., Samoa was reached late.", "Rivalries followed."],
    ],
    [
      "Celtic tribes arrived between 600 and 150 B.C. Invasions by Norsemen ended in 1014.",
      ["Celtic tribes arrived between 600 and 150 B.C. Invasions by Norsemen ended in 1014."],
    ],
    [
      "It became a kingdom in A.D. 1000 and held. The end (est. 1920) came. Mt. Cook is high.",
      [
        "It became a kingdom in A.D. 1000 and held.",
        "The end (est. 1920) came.",
        "Mt. Cook is high.",
      ],
    ],
    [
      "Led by J. R. Smith, it grew. The U.S. took over! Was it wise? Yes.",
      ["Led by J. R. Smith, it grew.", "The U.S. took over!", "Was it wise?", "Yes."],
    ],
  ])("%s", (text, sentences) => {
    expect(sentencesOf(text)).toEqual(sentences);
    expect(sentencesOf(text).join(" ")).toBe(text);
  });
});

describe("the teaser of every profile", () => {
  const articles = factbookArticles();

  it("covers every profile", () => {
    expect(articles.length).toBeGreaterThanOrEqual(250);
  });

  it("is the beginning of the profile's background, in whole sentences", () => {
    const bad: string[] = [];
    for (const a of articles) {
      const t = a.teaser;
      if (t.endsWith("a World Factbook profile.")) continue;
      const whole = !t.endsWith("…");
      if (
        !/^[\p{Lu}\p{N}"'(]/u.test(t) ||
        (whole && !/[.!?]["')]*$/.test(t)) ||
        t.length > 300 ||
        // Garbled joins of the old splitter: "India.C.D.", "India.; their".
        /\.[\p{Lu}]\.[\p{Lu}]\./u.test(t) ||
        /\.;/.test(t)
      )
        bad.push(`${a.slug}: ${t.slice(0, 80)}`);
    }
    expect(bad).toEqual([]);
  });

  it("keeps sentences whole through B.C. and A.D.", () => {
    const by = new Map(articles.map((a) => [a.slug, a.teaser]));
    expect(by.get("india")).toMatch(/^The Indus Valley civilization.* B\.C\. and extended into /);
    expect(by.get("hungary")).toMatch(/^Hungary became a Christian kingdom in A\.D\. 1000 and /);
    expect(by.get("iceland")).toMatch(/^Settled by Norwegian and Celtic/);
    expect(by.get("american-samoa")).toMatch(/^Settled as early as 1000 B\.C\., Samoa/);
    expect(teaserOf("Short.")).toBe("Short.");
  });
});
