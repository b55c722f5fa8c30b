"""Institution, course and lesson pages, instructors, quiz definitions and the approval basis."""
