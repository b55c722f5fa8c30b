// The entry of pages with a lesson player or a quiz (lesson and course pages): the texts come from
// the page (player_tags.player_texts, through gettext).

import { playersAttach } from "./lesson.mjs";
import { quizzesAttach } from "./quiz.mjs";

const element = document.getElementById("player-texts");
const texts = element ? JSON.parse(element.textContent) : {};
playersAttach(texts);
if (element) quizzesAttach(texts);
