-- A write generation for the matrix: every change to a table a matrix or
-- can-i-deploy answer reads bumps matrix_generation.n in the writing
-- transaction itself (triggers, so no write path can forget it and other
-- processes' writes count too). A reader reads n in the same read
-- transaction as its answer; an answer cached under n is never served
-- once a write has committed (httpapi's answer cache, sqlstore.MatrixSnapshot).
CREATE TABLE matrix_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO matrix_generation (id, n) VALUES (1, 0);
CREATE TRIGGER matrix_generation_pacticipants_i AFTER INSERT ON pacticipants BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_pacticipants_u AFTER UPDATE ON pacticipants BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_pacticipants_d AFTER DELETE ON pacticipants BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_environments_i AFTER INSERT ON environments BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_environments_u AFTER UPDATE ON environments BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_environments_d AFTER DELETE ON environments BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_versions_i AFTER INSERT ON versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_versions_u AFTER UPDATE ON versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_versions_d AFTER DELETE ON versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_tags_i AFTER INSERT ON tags BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_tags_u AFTER UPDATE ON tags BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_tags_d AFTER DELETE ON tags BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_branches_i AFTER INSERT ON branches BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_branches_u AFTER UPDATE ON branches BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_branches_d AFTER DELETE ON branches BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_branch_versions_i AFTER INSERT ON branch_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_branch_versions_u AFTER UPDATE ON branch_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_branch_versions_d AFTER DELETE ON branch_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_pact_versions_i AFTER INSERT ON pact_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_pact_versions_u AFTER UPDATE ON pact_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_pact_versions_d AFTER DELETE ON pact_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_pact_publications_i AFTER INSERT ON pact_publications BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_pact_publications_u AFTER UPDATE ON pact_publications BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_pact_publications_d AFTER DELETE ON pact_publications BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_integrations_i AFTER INSERT ON integrations BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_integrations_u AFTER UPDATE ON integrations BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_integrations_d AFTER DELETE ON integrations BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_verifications_i AFTER INSERT ON verifications BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_verifications_u AFTER UPDATE ON verifications BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_verifications_d AFTER DELETE ON verifications BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_deployed_versions_i AFTER INSERT ON deployed_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_deployed_versions_u AFTER UPDATE ON deployed_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_deployed_versions_d AFTER DELETE ON deployed_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_released_versions_i AFTER INSERT ON released_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_released_versions_u AFTER UPDATE ON released_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER matrix_generation_released_versions_d AFTER DELETE ON released_versions BEGIN UPDATE matrix_generation SET n = n + 1 WHERE id = 1; END;
